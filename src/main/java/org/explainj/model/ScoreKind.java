package org.explainj.model;

import java.util.Locale;

import org.explainj.ExplainException;

/** Which quantity of the target class is explained (docs/METHODS.md, "Targets and scores"). */
public enum ScoreKind {
	/** The pre-softmax (or pre-sigmoid) logit: the default, it does not saturate. */
	LOGIT,
	PROBABILITY,
	LOG_PROBABILITY;

	public String cliName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	public static ScoreKind parse(String s) {
		for (ScoreKind k : values()) if (k.cliName().equalsIgnoreCase(s.trim())) return k;
		throw new ExplainException("Unknown score '" + s + "'.", "Use logit, probability or log-probability.");
	}
}
