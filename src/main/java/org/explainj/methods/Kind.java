package org.explainj.methods;

import java.io.File;
import java.util.Locale;

import org.explainj.ExplainException;

/**
 * What kind of value an option holds, and the one parser for it: the dialog, the macro options, script
 * inputs and the command line all turn text into a value here, and a value back into text with
 * {@link #format}. A new kind is one constant with its Java type and its parser.
 */
public enum Kind {
	/** A whole number (steps, seeds, sizes). */
	WHOLE(Integer.class) {
		@Override
		Object read(String text) {
			return Integer.valueOf(text);
		}
	},
	/** Any number (weights, fractions). */
	NUMBER(Double.class) {
		@Override
		Object read(String text) {
			return Double.valueOf(text);
		}
	},
	/** One of a declared list of words. */
	CHOICE(String.class) {
		@Override
		Object read(String text) {
			return text;
		}
	},
	/** Free text (a layer name, a number or a word such as auto, a file as text). */
	TEXT(String.class) {
		@Override
		Object read(String text) {
			return text;
		}
	},
	/** On or off: a dialog checkbox, a bare macro key, a command-line flag. */
	FLAG(Boolean.class) {
		@Override
		Object read(String text) {
			if (text.isEmpty() || text.equalsIgnoreCase("true")) return true;
			if (text.equalsIgnoreCase("false")) return false;
			throw new NumberFormatException(text);
		}
	},
	/** A file or folder. */
	FILE(File.class) {
		@Override
		Object read(String text) {
			return text.isEmpty() ? null : new File(text);
		}
	};

	private final Class<?> type;

	Kind(Class<?> type) {
		this.type = type;
	}

	/** The Java type of a parsed value (a SciJava input's type). */
	public Class<?> type() {
		return type;
	}

	abstract Object read(String text);

	/** The value {@code text} gives {@code option}; one sentence naming the option when it cannot be read. */
	public Object parse(Declaration option, String text) {
		return parse(option.name(), option.name() + "=" + option.defaultValue(), text);
	}

	/**
	 * The value {@code text} gives; when it cannot be read, one sentence naming the option as the user
	 * wrote it ({@code shown}) with an {@code example}.
	 */
	public Object parse(String shown, String example, String text) {
		String trimmed = text == null ? "" : text.trim();
		try {
			return read(trimmed);
		}
		catch (NumberFormatException e) {
			throw new ExplainException("'" + shown + "' must be " + describe() + ", not '" + trimmed + "'.",
				"For example " + example + ".");
		}
	}

	/** The kind of a Java type (a SciJava input's), e.g. WHOLE for int. */
	public static Kind of(Class<?> type, boolean hasChoices) {
		if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return WHOLE;
		if (type == double.class || type == Double.class || type == float.class || type == Float.class) return NUMBER;
		if (type == boolean.class || type == Boolean.class) return FLAG;
		if (type == File.class) return FILE;
		return hasChoices ? CHOICE : TEXT;
	}

	/** A value as text that {@link #parse} reads back: whole numbers without ".0", files as their path. */
	public String format(Object value) {
		if (value == null) return "";
		if (value instanceof Number n && this == WHOLE && n.doubleValue() == Math.rint(n.doubleValue())) return String
			.valueOf(n.longValue());
		if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return String.valueOf(d.longValue());
		if (value instanceof File f) return f.getPath();
		return value.toString();
	}

	/** E.g. "a whole number", "on or off". */
	public String describe() {
		return switch (this) {
			case WHOLE -> "a whole number";
			case NUMBER -> "a number";
			case CHOICE -> "one of its choices";
			case TEXT -> "text";
			case FLAG -> "true or false";
			case FILE -> "a file";
		};
	}

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}
}
