package dev.tally.simulator.scenario;

import java.util.Set;

/**
 * The card numbers the simulator holds when it loads a scenario (its cards file), and what that file is called in an
 * error: a rule matching a PAN not among them could never match, so it is refused.
 *
 * @param pans   the full PANs of the cards file (in memory only, never printed)
 * @param source the cards file as an error names it ({@code --cards} path, or the bundled test cards)
 */
public record KnownCards(Set<String> pans, String source) {

    public KnownCards {
        pans = Set.copyOf(pans);
    }

    /** Never the PANs (a record's own toString would print every one of them). */
    @Override
    public String toString() {
        return "KnownCards[" + pans.size() + " cards from " + source + "]";
    }
}
