package org.explainj.methods;

import java.util.List;
import java.util.Locale;

import org.explainj.ExplainException;

/**
 * One option of a method: its name (CLI --name, macro key, script input), default value, a line of help,
 * whether its value shapes the graph or is fed with every run (so that a sweep over it reuses one graph)
 * and the values it may take: a numeric range or a list of choices. {@link MethodSettings} checks every
 * value against them, so a method reads only values inside them. The front ends make their dialog
 * fields, macro keys, script inputs and command-line options from this declaration alone.
 */
public record MethodParameter(String name, String defaultValue, String description, Feed feed, Range range,
	List<String> choices) implements Declaration
{

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

	/** A parameter that shapes the graph, without a numeric range. */
	public MethodParameter(String name, String defaultValue, String description) {
		this(name, defaultValue, description, Feed.STRUCTURAL, null, List.of());
	}

	public static MethodParameter fed(String name, String defaultValue, String description) {
		return new MethodParameter(name, defaultValue, description, Feed.FED, null, List.of());
	}

	public static MethodParameter fedWhenNumber(String name, String defaultValue, String description) {
		return new MethodParameter(name, defaultValue, description, Feed.FED_WHEN_NUMBER, null, List.of());
	}

	/** The same parameter, restricted to {@code r}. */
	public MethodParameter within(Range r) {
		return new MethodParameter(name, defaultValue, description, feed, r, choices);
	}

	/** The same parameter, restricted to one of {@code words}. */
	public MethodParameter among(List<String> words) {
		return new MethodParameter(name, defaultValue, description, feed, range, List.copyOf(words));
	}

	/**
	 * Derived from the declaration: a choice where there are choices, a number where a range without
	 * words limits it, text otherwise (a layer, a file, a number or auto).
	 */
	@Override
	public Kind kind() {
		if (!choices.isEmpty()) return Kind.CHOICE;
		if (range != null && range.words().isEmpty()) return range.whole() ? Kind.WHOLE : Kind.NUMBER;
		return Kind.TEXT;
	}

	/**
	 * Numbers from {@code min} to {@code max} (whole numbers only where {@code whole}), finite, or one of
	 * {@code words} (e.g. "auto").
	 */
	public record Range(boolean whole, double min, double max, List<String> words) {

		public static Range wholeAtLeast(long min) {
			return new Range(true, min, Double.POSITIVE_INFINITY, List.of());
		}

		/** Any whole number a Java int holds (seeds are read as ints). */
		public static Range anyWhole() {
			return new Range(true, Integer.MIN_VALUE, Integer.MAX_VALUE, List.of());
		}

		public static Range atLeast(double min) {
			return new Range(false, min, Double.POSITIVE_INFINITY, List.of());
		}

		public static Range anyNumber() {
			return new Range(false, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, List.of());
		}

		/** The same range that also accepts the given words. */
		public Range orWords(String... accepted) {
			return new Range(whole, min, max, List.of(accepted));
		}

		/** E.g. "a whole number >= 1", "a number or auto". */
		public String describe() {
			// an int's own limits are no range worth printing
			boolean bounded = !(whole && min == Integer.MIN_VALUE && max == Integer.MAX_VALUE);
			String s = (whole ? "a whole number" : "a number") + (bounded && min > Double.NEGATIVE_INFINITY ? " >= " +
				format(min) : "") + (bounded && max < Double.POSITIVE_INFINITY ? " <= " + format(max) : "");
			return words.isEmpty() ? s : s + " or " + String.join(" or ", words);
		}

		void check(String method, Declaration p, String value) {
			if (words.contains(value)) return;
			String example = "For example " + p.name() + "=" + p.defaultValue() + ".";
			String kind = whole ? "a whole number" : "a number";
			if (!words.isEmpty()) kind += " or " + String.join(" or ", words);
			double v;
			try {
				v = whole ? Long.parseLong(value) : Double.parseDouble(value);
			}
			catch (NumberFormatException e) {
				throw new ExplainException(method + ": '" + p.name() + "' must be " + kind + ", not '" + value + "'.",
					example);
			}
			if (!Double.isFinite(v)) throw new ExplainException(method + ": '" + p.name() + "' must be a finite number, not '" +
				value + "'.", example);
			if (v < min) throw new ExplainException(method + ": '" + p.name() + "' must be at least " + format(min) +
				", not " + value + ".", example);
			if (v > max) throw new ExplainException(method + ": '" + p.name() + "' must be at most " + format(max) +
				", not " + value + ".", example);
		}

		private static String format(double d) {
			return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%s", d);
		}
	}
}
