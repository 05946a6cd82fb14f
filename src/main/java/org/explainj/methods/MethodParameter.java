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
		/**
		 * Does not shape the graph: a number fed with every run ({@link AttributionContext#scalar}), or a
		 * value only used to plan the runs (steps, a quadrature rule: {@link AttributionMethod#partValues}).
		 */
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
