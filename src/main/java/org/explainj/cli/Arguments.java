package org.explainj.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.explainj.ExplainException;
import org.explainj.job.CommonOption;
import org.explainj.job.JobOptions;
import org.explainj.methods.Kind;

/** "--key value" options of one subcommand, checked against the ones it knows. */
final class Arguments {

	/** Options that take no value, given or not: the common options of kind flag. */
	private static final Set<String> FLAGS = JobOptions.ALL.stream().filter(o -> o.kind() == Kind.FLAG && o.cliName() !=
		null).map(CommonOption::cliName).collect(Collectors.toSet());

	/** Options that may be given more than once (each value kept, in order). */
	private static final Set<String> REPEATABLE = Set.of("roi");

	private final String command;
	private final Set<String> known;
	private final Map<String, String> values = new HashMap<>();
	private final Map<String, List<String>> repeated = new HashMap<>();

	Arguments(String command, List<String> args, Set<String> known) {
		this.command = command;
		this.known = Set.copyOf(known);
		for (int i = 0; i < args.size(); i++) {
			String a = args.get(i);
			if (!a.startsWith("--")) throw new ExplainException("Unexpected argument '" + a + "' for " + command + ".",
				"Options look like --name value; run bin/explainj help.");
			String key = a.substring(2);
			if (!known.contains(key)) throw new ExplainException("Unknown option --" + key + " for " + command + ".",
				"Known options: " + known.stream().sorted().map(k -> "--" + k).toList() + ".");
			if (FLAGS.contains(key)) {
				values.put(key, "");
				continue;
			}
			if (i + 1 >= args.size()) throw new ExplainException("Option --" + key + " needs a value.",
				"Write --" + key + " VALUE.");
			values.put(key, args.get(++i));
			if (REPEATABLE.contains(key)) repeated.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(values.get(key));
		}
	}

	String required(String key) {
		String v = values.get(key);
		if (v == null) throw new ExplainException(command + " needs --" + key + ".", "Run bin/explainj help for usage.");
		return v;
	}

	String get(String key, String fallback) {
		return values.getOrDefault(key, fallback);
	}

	/** Whether this command has the option at all (given or not). */
	boolean knows(String key) {
		return known.contains(key);
	}

	/** Every value of a repeatable option, in the order given. */
	List<String> all(String key) {
		return repeated.getOrDefault(key, List.of());
	}

	boolean flag(String key) {
		return values.containsKey(key);
	}

	int integer(String key, int fallback) {
		String v = values.get(key);
		if (v == null) return fallback;
		try {
			return Integer.parseInt(v.trim());
		}
		catch (NumberFormatException e) {
			throw new ExplainException("--" + key + " must be a whole number, not '" + v + "'.", "For example --" + key +
				" " + fallback + ".");
		}
	}

	double number(String key, double fallback) {
		String v = values.get(key);
		if (v == null) return fallback;
		try {
			return Double.parseDouble(v.trim());
		}
		catch (NumberFormatException e) {
			throw new ExplainException("--" + key + " must be a number, not '" + v + "'.", "For example --" + key + " " +
				fallback + ".");
		}
	}
}
