package io.tapflow.protocols.redis;

import io.tapflow.schema.ResponseStatus;
import java.util.Map;
import java.util.Set;

/**
 * What the Redis decoder needs to know about commands and errors: which argument is the resource of a command,
 * and whether an error reply blames the caller or the server.
 *
 * <p><b>request_type</b> is the command name upper-cased; for container commands ({@code CONFIG GET},
 * {@code CLIENT SETNAME}, {@code OBJECT ENCODING}…) it is the command and its subcommand, separated by a space.
 *
 * <p><b>request_resource</b> is one argument, never more: for most commands the first argument (the key:
 * {@code GET k}, {@code HSET k …}, {@code LPUSH k …}; the channel of PUBLISH/SUBSCRIBE; the pattern of KEYS), for
 * container commands the argument after the subcommand ({@code OBJECT ENCODING k}, {@code CONFIG GET maxmemory},
 * {@code CONFIG SET requirepass …} → "requirepass", never the value), the second argument for BITOP (the
 * destination key). It is null for commands whose arguments are not keys or may be secrets: AUTH, HELLO (may carry
 * AUTH), MIGRATE (may carry AUTH), SCRIPT/FUNCTION bodies, EVAL, EVALSHA, FCALL and their _RO forms (script or sha first), ECHO, SELECT, and
 * the argument-less server commands. Argument values beyond that one are never read into a message.
 */
final class RedisCommands {

    /** Where a command's resource is. */
    enum Resource {
        /** The first argument (the key for keyed commands). */
        FIRST,
        /** The second argument (BITOP op destkey). */
        SECOND,
        /** None: the arguments are not keys, or may be secrets. */
        NONE,
        /** A container command: the first argument is a subcommand, the resource follows it. */
        SUBCOMMAND,
        /** A container command whose arguments after the subcommand are code or secrets. */
        SUBCOMMAND_ONLY
    }

    private static final Map<String, Resource> SPECIAL = Map.ofEntries(
            Map.entry("AUTH", Resource.NONE), Map.entry("HELLO", Resource.NONE),
            Map.entry("MIGRATE", Resource.NONE), Map.entry("ECHO", Resource.NONE),
            Map.entry("PING", Resource.NONE), Map.entry("SELECT", Resource.NONE),
            Map.entry("EVAL", Resource.NONE), Map.entry("EVALSHA", Resource.NONE),
            Map.entry("EVAL_RO", Resource.NONE), Map.entry("EVALSHA_RO", Resource.NONE),
            Map.entry("FCALL", Resource.NONE), Map.entry("FCALL_RO", Resource.NONE),
            Map.entry("SCAN", Resource.NONE), Map.entry("XREAD", Resource.NONE),
            Map.entry("XREADGROUP", Resource.NONE), Map.entry("INFO", Resource.NONE),
            Map.entry("QUIT", Resource.NONE), Map.entry("RESET", Resource.NONE),
            Map.entry("MULTI", Resource.NONE), Map.entry("EXEC", Resource.NONE),
            Map.entry("DISCARD", Resource.NONE), Map.entry("UNWATCH", Resource.NONE),
            Map.entry("DBSIZE", Resource.NONE), Map.entry("FLUSHDB", Resource.NONE),
            Map.entry("FLUSHALL", Resource.NONE), Map.entry("SWAPDB", Resource.NONE),
            Map.entry("WAIT", Resource.NONE), Map.entry("WAITAOF", Resource.NONE),
            Map.entry("REPLCONF", Resource.NONE), Map.entry("PSYNC", Resource.NONE),
            Map.entry("REPLICAOF", Resource.NONE), Map.entry("SLAVEOF", Resource.NONE),
            Map.entry("SHUTDOWN", Resource.NONE), Map.entry("FAILOVER", Resource.NONE),
            Map.entry("LOLWUT", Resource.NONE),
            Map.entry("BITOP", Resource.SECOND),
            Map.entry("CONFIG", Resource.SUBCOMMAND), Map.entry("CLIENT", Resource.SUBCOMMAND),
            Map.entry("CLUSTER", Resource.SUBCOMMAND), Map.entry("COMMAND", Resource.SUBCOMMAND),
            Map.entry("ACL", Resource.SUBCOMMAND), Map.entry("MEMORY", Resource.SUBCOMMAND),
            Map.entry("OBJECT", Resource.SUBCOMMAND), Map.entry("XINFO", Resource.SUBCOMMAND),
            Map.entry("XGROUP", Resource.SUBCOMMAND), Map.entry("LATENCY", Resource.SUBCOMMAND),
            Map.entry("MODULE", Resource.SUBCOMMAND), Map.entry("PUBSUB", Resource.SUBCOMMAND),
            Map.entry("SLOWLOG", Resource.SUBCOMMAND), Map.entry("DEBUG", Resource.SUBCOMMAND),
            Map.entry("SCRIPT", Resource.SUBCOMMAND_ONLY), Map.entry("FUNCTION", Resource.SUBCOMMAND_ONLY));

    /**
     * Error prefixes that blame the server (out of memory, still loading, persistence or replication failing,
     * busy with a script, cluster down). Every other error — ERR, WRONGTYPE, NOAUTH, WRONGPASS, NOPERM, EXECABORT,
     * NOSCRIPT, BUSYKEY, BUSYGROUP, READONLY (a write sent to a replica), MOVED/ASK (sent to the wrong node) and
     * unknown prefixes — is the caller's: CLIENT_ERROR.
     */
    private static final Set<String> SERVER_ERRORS = Set.of("OOM", "LOADING", "MASTERDOWN", "BUSY", "MISCONF",
            "NOREPLICAS", "CLUSTERDOWN", "TRYAGAIN", "UNKILLABLE");

    private RedisCommands() {
    }

    /** Where the resource of {@code command} (upper case) is. */
    static Resource resource(String command) {
        return SPECIAL.getOrDefault(command, Resource.FIRST);
    }

    /** The status class of an error reply, from its first word ("WRONGTYPE Operation against…"). */
    static ResponseStatus errorStatus(String error) {
        int sp = error.indexOf(' ');
        String prefix = sp < 0 ? error : error.substring(0, sp);
        return SERVER_ERRORS.contains(prefix) ? ResponseStatus.SERVER_ERROR : ResponseStatus.CLIENT_ERROR;
    }
}
