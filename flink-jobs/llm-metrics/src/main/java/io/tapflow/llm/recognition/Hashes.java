package io.tapflow.llm.recognition;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The deterministic ids of the contracts: 32 lower-case hex chars, the first 128 bits of SHA-256 over the parts,
 * each part length-prefixed so that ("ab", "c") and ("a", "bc") never collide. No randomness, no clock.
 */
public final class Hashes {

    private Hashes() {
    }

    /** Id over string and number parts (numbers as their decimal text). */
    public static String id(Object... parts) {
        MessageDigest sha = sha256();
        for (Object part : parts) {
            byte[] bytes = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
            sha.update(intBytes(bytes.length));
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
