package io.tapflow.protocols.mqtt;

import io.tapflow.schema.ResponseStatus;

/**
 * MQTT return codes (3.1.1 CONNACK) and reason codes (5.0, all acknowledgements) → response status and text.
 *
 * <p>Status: codes below 0x80 are successes (0x00, granted QoS 1/2 in a SUBACK, 0x10 "no matching subscribers"…).
 * From 0x80 on, failures are CLIENT_ERROR — the request was refused because of the caller (bad credentials, not
 * authorised, invalid topic, quota) — except those that name the server: 0x80 unspecified error, 0x83
 * implementation specific error, 0x88 server unavailable, 0x89 server busy, 0x8B server shutting down, 0x9C use
 * another server, 0x9D server moved → SERVER_ERROR. In 3.1.1, CONNACK 3 (server unavailable) is SERVER_ERROR, 1,
 * 2, 4, 5 are CLIENT_ERROR, and the SUBACK failure 0x80 is CLIENT_ERROR (3.1.1 has no other failure code; brokers
 * send it for ACL refusals).
 */
final class MqttReasonCodes {

    private MqttReasonCodes() {
    }

    static ResponseStatus v311Connack(int code) {
        return code == 0 ? ResponseStatus.OK : code == 3 ? ResponseStatus.SERVER_ERROR : ResponseStatus.CLIENT_ERROR;
    }

    static String v311ConnackText(int code) {
        return switch (code) {
            case 0 -> null;
            case 1 -> "Connection Refused: unacceptable protocol version";
            case 2 -> "Connection Refused: identifier rejected";
            case 3 -> "Connection Refused: server unavailable";
            case 4 -> "Connection Refused: bad user name or password";
            case 5 -> "Connection Refused: not authorized";
            default -> "Connection Refused: return code " + code;
        };
    }

    static ResponseStatus v5(int code) {
        if (code < 0x80) {
            return ResponseStatus.OK;
        }
        return switch (code) {
            case 0x80, 0x83, 0x88, 0x89, 0x8B, 0x9C, 0x9D -> ResponseStatus.SERVER_ERROR;
            default -> ResponseStatus.CLIENT_ERROR;
        };
    }

    /** Text of a 5.0 failure reason code (from 0x80), null for successes. */
    static String v5Text(int code) {
        if (code < 0x80) {
            return null;
        }
        return switch (code) {
            case 0x80 -> "Unspecified error";
            case 0x81 -> "Malformed Packet";
            case 0x82 -> "Protocol Error";
            case 0x83 -> "Implementation specific error";
            case 0x84 -> "Unsupported Protocol Version";
            case 0x85 -> "Client Identifier not valid";
            case 0x86 -> "Bad User Name or Password";
            case 0x87 -> "Not authorized";
            case 0x88 -> "Server unavailable";
            case 0x89 -> "Server busy";
            case 0x8A -> "Banned";
            case 0x8B -> "Server shutting down";
            case 0x8C -> "Bad authentication method";
            case 0x8D -> "Keep Alive timeout";
            case 0x8E -> "Session taken over";
            case 0x8F -> "Topic Filter invalid";
            case 0x90 -> "Topic Name invalid";
            case 0x91 -> "Packet Identifier in use";
            case 0x92 -> "Packet Identifier not found";
            case 0x93 -> "Receive Maximum exceeded";
            case 0x94 -> "Topic Alias invalid";
            case 0x95 -> "Packet too large";
            case 0x96 -> "Message rate too high";
            case 0x97 -> "Quota exceeded";
            case 0x98 -> "Administrative action";
            case 0x99 -> "Payload format invalid";
            case 0x9A -> "Retain not supported";
            case 0x9B -> "QoS not supported";
            case 0x9C -> "Use another server";
            case 0x9D -> "Server moved";
            case 0x9E -> "Shared Subscriptions not supported";
            case 0x9F -> "Connection rate exceeded";
            case 0xA0 -> "Maximum connect time";
            case 0xA1 -> "Subscription Identifiers not supported";
            case 0xA2 -> "Wildcard Subscriptions not supported";
            default -> "Reason code 0x" + Integer.toHexString(code);
        };
    }
}
