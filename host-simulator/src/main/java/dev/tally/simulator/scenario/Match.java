package dev.tally.simulator.scenario;

import java.util.Set;

/**
 * The conditions of a rule; null means "any". All given conditions must hold. {@code occurrence} makes
 * the rule match only the n-th request that meets the other conditions; {@code probability} makes it
 * match that fraction of them, drawn from a random sequence seeded per rule, so a run can be repeated.
 */
public record Match(Set<String> mtis, String processingCode, String terminalId, String pan, String panPrefix,
                    Long amount, Long amountMin, Long amountMax, Integer cents, Integer stan, Integer occurrence,
                    Double probability) {

    public static final Match ANY = new Match(null, null, null, null, null, null, null, null, null, null, null, null);

    /** The conditions that depend only on the request (not on counters or chance). */
    boolean staticallyMatches(ScenarioRequest r) {
        if (mtis != null && !mtis.contains(r.mti())) {
            return false;
        }
        if (processingCode != null && !processingCode.equals(r.processingCode())) {
            return false;
        }
        if (terminalId != null && !terminalId.equals(r.terminalId())) {
            return false;
        }
        if (pan != null && !pan.equals(r.pan())) {
            return false;
        }
        if (panPrefix != null && (r.pan() == null || !r.pan().startsWith(panPrefix))) {
            return false;
        }
        boolean needsAmount = amount != null || amountMin != null || amountMax != null || cents != null;
        if (needsAmount && r.amount() == null) {
            return false;
        }
        if (amount != null && amount.longValue() != r.amount()) {
            return false;
        }
        if (amountMin != null && r.amount() < amountMin) {
            return false;
        }
        if (amountMax != null && r.amount() > amountMax) {
            return false;
        }
        if (cents != null && r.amount() % 100 != cents) {
            return false;
        }
        return stan == null || stan == r.stan();
    }
}
