package org.explainj.job;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import org.explainj.methods.Declaration;
import org.explainj.methods.Kind;
import org.explainj.methods.MethodParameter.Range;

/**
 * An option every explanation command has (model, target, opacity ...), declared once: its dialog label
 * (whose first word is the macro key and script input name), kind, default, choices or range, help, the
 * command-line name where the command line has it (null: menus, macros and scripts only) and how its
 * value sets {@code T} (the run's {@link ExplainOptions}, or what is displayed).
 */
public record CommonOption<T>(String label, Kind kind, String defaultValue, List<String> choices, Range range,
	String description, String cliName, BiFunction<T, Object, T> apply) implements Declaration
{
	public CommonOption {
		choices = List.copyOf(choices);
	}

	/** An option of every front end, its command-line name the macro key's ("per_slice" as --per-slice). */
	public static <T> CommonOption<T> of(String label, Kind kind, String defaultValue, String description,
		BiFunction<T, Object, T> apply)
	{
		CommonOption<T> o = new CommonOption<>(label, kind, defaultValue, List.of(), null, description, "", apply);
		return o.cli(o.name().replace('_', '-'));
	}

	/** The same option under another command-line name; null for none. */
	public CommonOption<T> cli(String name) {
		return new CommonOption<>(label, kind, defaultValue, choices, range, description, name, apply);
	}

	/** The same option, a {@link Kind#CHOICE} among {@code words}. */
	public CommonOption<T> among(String... words) {
		return new CommonOption<>(label, Kind.CHOICE, defaultValue, List.of(words), range, description, cliName, apply);
	}

	public CommonOption<T> within(Range r) {
		return new CommonOption<>(label, kind, defaultValue, choices, r, description, cliName, apply);
	}

	/** The macro key: the label's first word, lower-cased, as ImageJ's GenericDialog makes it. */
	@Override
	public String name() {
		return label.split(" ", 2)[0].toLowerCase(Locale.ROOT);
	}

	/** {@code target} with this option's value read from {@code text} (null or empty: the default). */
	public T applyText(String owner, T target, String text) {
		return apply.apply(target, parse(owner, orDefault(text)));
	}

	/** The same for a command-line value: a value that cannot be read is named as --name. */
	public T applyCli(String owner, T target, String text) {
		return apply.apply(target, parse(owner, "--" + cliName, "--" + cliName + " " + defaultValue, orDefault(text)));
	}

	private String orDefault(String text) {
		return text == null || text.isBlank() && kind != Kind.FLAG ? defaultValue : text;
	}

	/** {@code target} with this option's value (null: the default), checked by the one range checker. */
	public T applyValue(String owner, T target, Object value) {
		return applyText(owner, target, value == null ? null : kind.format(value));
	}
}
