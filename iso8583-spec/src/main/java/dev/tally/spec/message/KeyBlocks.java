package dev.tally.spec.message;

import java.util.regex.Pattern;

/**
 * Field 61 of the 0810 sign-on answer (78 characters): "P" + PIN key under the TMK (32 hex) + its
 * check value (6 hex) + "M" + MAC key under the TMK (32 hex) + its check value (6 hex). The keys are
 * cryptograms, still never printed: {@link #toString()} hides them.
 */
public record KeyBlocks(String pinKeyUnderTmk, String pinKeyKcv, String macKeyUnderTmk, String macKeyKcv) {

    private static final Pattern FORMAT = Pattern.compile("P[0-9A-F]{32}[0-9A-F]{6}M[0-9A-F]{32}[0-9A-F]{6}");

    public String encode() {
        return "P" + pinKeyUnderTmk + pinKeyKcv + "M" + macKeyUnderTmk + macKeyKcv;
    }

    public static KeyBlocks decode(String f61) {
        if (f61 == null || !FORMAT.matcher(f61).matches()) {
            throw new IllegalArgumentException("key blocks (field 61) must be P + 38 hex + M + 38 hex (78 characters), got "
                    + (f61 == null ? "nothing" : f61.length() + " characters"));
        }
        return new KeyBlocks(f61.substring(1, 33), f61.substring(33, 39), f61.substring(40, 72), f61.substring(72, 78));
    }

    @Override
    public String toString() {
        return "KeyBlocks[hidden]";
    }
}
