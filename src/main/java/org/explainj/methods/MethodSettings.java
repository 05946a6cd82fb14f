package org.explainj.methods;

import java.util.Map;
import java.util.TreeMap;

import org.explainj.ExplainException;

/**
 * The values of a method's parameters for one run: what the user gave, checked against what the method
 * declares, defaults for the rest. Equal settings share the ops built for them.
 */
public record MethodSettings(String method, Map<String, String> values) {

	public static MethodSettings of(AttributionMethod m, Map<String, String> given) {
		Map<String, String> values = new TreeMap<>();
		for (MethodParameter p : m.parameters()) values.put(p.name(), p.defaultValue());
		for (Map.Entry<String, String> e : given.entrySet()) {
			if (!values.containsKey(e.getKey())) throw new ExplainException("Method " + m.name() + " has no parameter '" +
				e.getKey() + "'.", m.parameters().isEmpty() ? "It takes none." : "Its parameters are " + m.parameters()
					.stream().map(MethodParameter::name).toList() + ".");
			values.put(e.getKey(), e.getValue().trim());
		}
		for (MethodParameter p : m.parameters()) p.check(m.name(), values.get(p.name()));
		return new MethodSettings(m.name(), Map.copyOf(values));
	}

	public static MethodSettings defaults(AttributionMethod m) {
		return of(m, Map.of());
	}

	public String string(String name) {
		String v = values.get(name);
		if (v == null) throw new IllegalArgumentException(method + " declares no parameter " + name);
		return v;
	}

	public int integer(String name) {
		try {
			return Integer.parseInt(string(name));
		}
		catch (NumberFormatException e) {
			throw new ExplainException(method + ": '" + name + "' must be a whole number, not '" + string(name) + "'.",
				"For example " + name + "=50.");
		}
	}

	public double number(String name) {
		try {
			return Double.parseDouble(string(name));
		}
		catch (NumberFormatException e) {
			throw new ExplainException(method + ": '" + name + "' must be a number, not '" + string(name) + "'.",
				"For example " + name + "=0.15.");
		}
	}

	/**
	 * What the graph of these settings depends on: the structural values, with fed numbers left out, so
	 * that runs differing only in fed values share one graph.
	 */
	public Map<String, String> structure(AttributionMethod m) {
		Map<String, String> structure = new TreeMap<>();
		for (MethodParameter p : m.parameters()) {
			String v = string(p.name());
			boolean fed = p.feed() == MethodParameter.Feed.FED || (p.feed() == MethodParameter.Feed.FED_WHEN_NUMBER &&
				isNumber(v));
			structure.put(p.name(), fed ? "fed" : v);
		}
		return structure;
	}

	/** True when the value is a number (e.g. 0.5, -1, .25, 1e-3) rather than a word or a file. */
	public static boolean isNumber(String value) {
		return value.trim().matches("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
	}

}
