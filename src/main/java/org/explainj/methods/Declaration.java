package org.explainj.methods;

import java.util.List;
import java.util.Locale;

import org.explainj.ExplainException;

/**
 * One option as every front end shows it, declared once: its name (macro key, script input, command-line
 * option), what kind of value it takes, its default, its choices or numeric range, and a line of help.
 * The dialog fields, macro keys, SciJava inputs and command-line options are all made from this.
 */
public interface Declaration {

	/** Macro key, script input name and (unless {@link #cliName} says otherwise) command-line option. */
	String name();

	Kind kind();

	String defaultValue();

	/** The words a {@link Kind#CHOICE} may be; empty otherwise. */
	List<String> choices();

	/** The numbers (and words) a value may be; null for any. */
	MethodParameter.Range range();

	/** One line of help. */
	String description();

	/** The dialog's label; its first word, lower-cased, is the macro key, so it starts with the name. */
	default String label() {
		return name().substring(0, 1).toUpperCase(Locale.ROOT) + name().substring(1);
	}

	/** The command-line option, without its dashes. */
	default String cliName() {
		return name().replace('_', '-');
	}

	/** The value {@code text} gives, checked by the option's one parser and its range or choices. */
	default Object parse(String owner, String text) {
		return parse(owner, name(), name() + "=" + defaultValue(), text);
	}

	/** The same, a value that cannot be read named as the user wrote it ({@code shown}, e.g. --batch-size). */
	default Object parse(String owner, String shown, String example, String text) {
		// a choice is read as ImageJ and the command line read words: TILE is tile
		String word = text == null ? null : choices().stream().filter(c -> c.equalsIgnoreCase(text.strip())).findFirst()
			.orElse(text);
		Object value = kind().parse(shown, example, word);
		check(owner, kind().format(value));
		return value;
	}

	/** Refuses a value outside the range or the choices, naming the owner (method or command) and the option. */
	default void check(String owner, String value) {
		if (!choices().isEmpty() && !choices().contains(value)) throw new ExplainException(owner + ": '" + name() +
			"' cannot be '" + value + "'.", "Use one of " + choices() + ".");
		if (range() != null) range().check(owner, this, value);
	}
}
