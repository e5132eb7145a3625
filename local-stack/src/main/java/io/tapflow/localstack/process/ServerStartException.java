package io.tapflow.localstack.process;

import java.util.Locale;

/** A server process did not become ready; the message carries its command line and the tail of its logs. */
public final class ServerStartException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String commandLine;
    private final String logTail;

    public ServerStartException(String summary, String commandLine, String logTail) {
        super(summary + "\ncommand: " + commandLine + "\n" + logTail);
        this.commandLine = commandLine;
        this.logTail = logTail;
    }

    public String commandLine() {
        return commandLine;
    }

    public String logTail() {
        return logTail;
    }

    /** True when the logs say a port was taken: a caller may pick new free ports and try again. */
    public boolean addressInUse() {
        return logTail.toLowerCase(Locale.ROOT).contains("address already in use");
    }
}
