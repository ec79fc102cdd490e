package dev.tally.spec.format;

import java.util.Map;

/** Names of the EMV tags a POS sends in field 55 (EMV 4.4 Book 3 annex A), and which may be shown. */
public final class EmvTags {

    /** @param secret never shown (cryptograms, track equivalents, issuer data); @param pan shown masked */
    public record Tag(String name, boolean secret, boolean pan) {
    }

    private static final Map<Integer, Tag> TAGS = Map.ofEntries(
            Map.entry(0x4F, new Tag("Application Identifier (AID)", false, false)),
            Map.entry(0x50, new Tag("Application Label", false, false)),
            Map.entry(0x56, new Tag("Track 1 Data", true, false)),
            Map.entry(0x57, new Tag("Track 2 Equivalent Data", true, false)),
            Map.entry(0x5A, new Tag("Application PAN", false, true)),
            Map.entry(0x5F20, new Tag("Cardholder Name", true, false)),
            Map.entry(0x5F24, new Tag("Application Expiration Date", true, false)),
            Map.entry(0x5F2A, new Tag("Transaction Currency Code", false, false)),
            Map.entry(0x5F34, new Tag("PAN Sequence Number", false, false)),
            Map.entry(0x82, new Tag("Application Interchange Profile", false, false)),
            Map.entry(0x84, new Tag("Dedicated File Name", false, false)),
            Map.entry(0x8A, new Tag("Authorisation Response Code", false, false)),
            Map.entry(0x91, new Tag("Issuer Authentication Data", true, false)),
            Map.entry(0x95, new Tag("Terminal Verification Results", false, false)),
            Map.entry(0x9A, new Tag("Transaction Date", false, false)),
            Map.entry(0x9C, new Tag("Transaction Type", false, false)),
            Map.entry(0x9F02, new Tag("Amount, Authorised", false, false)),
            Map.entry(0x9F03, new Tag("Amount, Other", false, false)),
            Map.entry(0x9F09, new Tag("Application Version Number", false, false)),
            Map.entry(0x9F10, new Tag("Issuer Application Data", true, false)),
            Map.entry(0x9F1A, new Tag("Terminal Country Code", false, false)),
            Map.entry(0x9F1E, new Tag("Interface Device Serial Number", false, false)),
            Map.entry(0x9F26, new Tag("Application Cryptogram", true, false)),
            Map.entry(0x9F27, new Tag("Cryptogram Information Data", false, false)),
            Map.entry(0x9F33, new Tag("Terminal Capabilities", false, false)),
            Map.entry(0x9F34, new Tag("Cardholder Verification Method Results", false, false)),
            Map.entry(0x9F35, new Tag("Terminal Type", false, false)),
            Map.entry(0x9F36, new Tag("Application Transaction Counter", false, false)),
            Map.entry(0x9F37, new Tag("Unpredictable Number", false, false)),
            Map.entry(0x9F41, new Tag("Transaction Sequence Counter", false, false)),
            Map.entry(0x9F4B, new Tag("Signed Dynamic Application Data", true, false)),
            Map.entry(0x9F6B, new Tag("Track 2 Data (contactless)", true, false)));

    private EmvTags() {
    }

    /** The tag's entry; an unknown tag is shown by number and treated as secret (we cannot know). */
    public static Tag of(int tag) {
        return TAGS.getOrDefault(tag, new Tag("Tag " + Integer.toHexString(tag).toUpperCase(), true, false));
    }
}
