package org.explainj.methods;

/**
 * One option of a method: its name (CLI --name, macro key), default value, a line of help, and whether
 * its value shapes the graph or is fed with every run (so that a sweep over it reuses one graph).
 */
public record MethodParameter(String name, String defaultValue, String description, Feed feed) {

	/** How a value reaches the graph. */
	public enum Feed {
		/** Shapes the graph (a layer, a rule, a variant): one graph per value. */
		STRUCTURAL,
		/** A number fed with every run ({@link AttributionContext#scalar}). */
		FED,
		/** Fed when it is a number; a word (auto, zeros, a file) shapes the graph. */
		FED_WHEN_NUMBER
	}

	public MethodParameter(String name, String defaultValue, String description) {
		this(name, defaultValue, description, Feed.STRUCTURAL);
	}

	public static MethodParameter fed(String name, String defaultValue, String description) {
		return new MethodParameter(name, defaultValue, description, Feed.FED);
	}

	public static MethodParameter fedWhenNumber(String name, String defaultValue, String description) {
		return new MethodParameter(name, defaultValue, description, Feed.FED_WHEN_NUMBER);
	}
}
