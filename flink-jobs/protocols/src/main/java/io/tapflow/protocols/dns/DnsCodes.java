package io.tapflow.protocols.dns;

import io.tapflow.schema.ResponseStatus;

/**
 * Names of DNS types, response codes and opcodes (IANA "Domain Name System (DNS) Parameters"), and the status
 * class of a response code.
 */
final class DnsCodes {

    private static final String[] TYPES = new String[258];

    static {
        String[][] known = {
            {"1", "A"}, {"2", "NS"}, {"5", "CNAME"}, {"6", "SOA"}, {"10", "NULL"}, {"11", "WKS"}, {"12", "PTR"},
            {"13", "HINFO"}, {"14", "MINFO"}, {"15", "MX"}, {"16", "TXT"}, {"17", "RP"}, {"18", "AFSDB"},
            {"24", "SIG"}, {"25", "KEY"}, {"28", "AAAA"}, {"29", "LOC"}, {"33", "SRV"}, {"35", "NAPTR"},
            {"36", "KX"}, {"37", "CERT"}, {"39", "DNAME"}, {"41", "OPT"}, {"42", "APL"}, {"43", "DS"},
            {"44", "SSHFP"}, {"45", "IPSECKEY"}, {"46", "RRSIG"}, {"47", "NSEC"}, {"48", "DNSKEY"}, {"49", "DHCID"},
            {"50", "NSEC3"}, {"51", "NSEC3PARAM"}, {"52", "TLSA"}, {"53", "SMIMEA"}, {"55", "HIP"},
            {"59", "CDS"}, {"60", "CDNSKEY"}, {"61", "OPENPGPKEY"}, {"62", "CSYNC"}, {"63", "ZONEMD"},
            {"64", "SVCB"}, {"65", "HTTPS"}, {"99", "SPF"}, {"108", "EUI48"}, {"109", "EUI64"}, {"249", "TKEY"},
            {"250", "TSIG"}, {"251", "IXFR"}, {"252", "AXFR"}, {"253", "MAILB"}, {"254", "MAILA"}, {"255", "ANY"},
            {"256", "URI"}, {"257", "CAA"}};
        for (String[] k : known) {
            TYPES[Integer.parseInt(k[0])] = k[1];
        }
    }

    private static final String[] RCODES = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", null, null, null, null, "BADVERS",
        "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE"};

    private static final String[] OPCODES = {"QUERY", "IQUERY", "STATUS", null, "NOTIFY", "UPDATE", "DSO"};

    private DnsCodes() {
    }

    /** "A", "AAAA", … or "TYPE<n>" (RFC 3597) for a type without a mnemonic. */
    static String type(int type) {
        String name = type >= 0 && type < TYPES.length ? TYPES[type] : null;
        return name != null ? name : "TYPE" + type;
    }

    /** "NOERROR", "NXDOMAIN", … or "RCODE<n>". */
    static String rcode(int rcode) {
        String name = rcode >= 0 && rcode < RCODES.length ? RCODES[rcode] : null;
        return name != null ? name : "RCODE" + rcode;
    }

    /** "QUERY", "NOTIFY", … or "OPCODE<n>". */
    static String opcode(int opcode) {
        String name = opcode >= 0 && opcode < OPCODES.length ? OPCODES[opcode] : null;
        return name != null ? name : "OPCODE" + opcode;
    }

    /**
     * NOERROR → OK. The caller's fault → CLIENT_ERROR: FORMERR (malformed query), NXDOMAIN (the name does not
     * exist), REFUSED (policy refuses this client or name), the UPDATE prerequisite and zone codes YXDOMAIN,
     * YXRRSET, NXRRSET, NOTAUTH, NOTZONE, and the EDNS/TSIG/cookie codes 16–23 (BADVERS … BADCOOKIE). The server's
     * fault → SERVER_ERROR: SERVFAIL, NOTIMP (it cannot do what was asked), and any other code.
     */
    static ResponseStatus status(int rcode) {
        return switch (rcode) {
            case 0 -> ResponseStatus.OK;
            case 1, 3, 5, 6, 7, 8, 9, 10, 16, 17, 18, 19, 20, 21, 22, 23 -> ResponseStatus.CLIENT_ERROR;
            default -> ResponseStatus.SERVER_ERROR;
        };
    }
}
