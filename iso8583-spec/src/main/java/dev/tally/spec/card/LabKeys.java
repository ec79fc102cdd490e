package dev.tally.spec.card;

import java.util.HexFormat;

/**
 * The lab's terminal master key, shared by the simulator and the terminal when neither is given one
 * ({@code --tmk}). It is test material like the test cards: published here and in SPEC.md §4.1 (so that a client
 * written from the spec can sign on to a lab simulator), never used in production. No program prints it: outputs and
 * warnings name it by its check value.
 */
public final class LabKeys {

    private static final String LAB_TMK_HEX = "0123456789ABCDEFFEDCBA9876543210";

    private LabKeys() {
    }

    /** A fresh copy of the lab TMK (16 bytes, double-length 3DES). */
    public static byte[] tmk() {
        return HexFormat.of().parseHex(LAB_TMK_HEX);
    }
}
