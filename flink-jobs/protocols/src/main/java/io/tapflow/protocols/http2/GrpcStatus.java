package io.tapflow.protocols.http2;

import io.tapflow.schema.ResponseStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * gRPC status codes and how they classify a response.
 *
 * <p>The classification follows the HTTP equivalents google.rpc.Code documents for each code (4xx → CLIENT_ERROR,
 * 5xx → SERVER_ERROR), which is also what the request log's ResponseStatus says of gRPC:
 * <ul>
 *   <li>OK: 0 OK</li>
 *   <li>CLIENT_ERROR: 1 CANCELLED (499), 3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 7 PERMISSION_DENIED,
 *       8 RESOURCE_EXHAUSTED (429), 9 FAILED_PRECONDITION, 10 ABORTED (409), 11 OUT_OF_RANGE,
 *       16 UNAUTHENTICATED</li>
 *   <li>SERVER_ERROR: 2 UNKNOWN, 4 DEADLINE_EXCEEDED (504), 12 UNIMPLEMENTED, 13 INTERNAL, 14 UNAVAILABLE,
 *       15 DATA_LOSS</li>
 *   <li>UNKNOWN: any other number</li>
 * </ul>
 */
final class GrpcStatus {

    private static final String[] NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

    private GrpcStatus() {
    }

    static ResponseStatus classify(int code) {
        return switch (code) {
            case 0 -> ResponseStatus.OK;
            case 1, 3, 5, 6, 7, 8, 9, 10, 11, 16 -> ResponseStatus.CLIENT_ERROR;
            case 2, 4, 12, 13, 14, 15 -> ResponseStatus.SERVER_ERROR;
            default -> ResponseStatus.UNKNOWN;
        };
    }

    /** The code's name (NOT_FOUND…), or null for numbers gRPC does not define. */
    static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : null;
    }

    /** A non-negative decimal of at most 9 digits (grpc-status; also :status, whose length the caller checks). */
    static Integer parse(String value) {
        if (value == null || value.isEmpty() || value.length() > 9) {
            return null;
        }
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2 spec); malformed escapes stay as they are. */
    static String decodeMessage(String value) {
        if (value == null || value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            out.write(c & 0xFF);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
