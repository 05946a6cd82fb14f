package org.explainj.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small reader for the JSON of a model's sidecar file: objects become maps, arrays lists, strings
 * strings, numbers doubles, true/false booleans, null null. Malformed text throws
 * IllegalArgumentException saying what was expected where.
 */
final class Json {

	private final String text;
	private int at;

	Json(String text) {
		this.text = text;
	}

	Object document() {
		Object value = value();
		space();
		if (at < text.length()) throw error("the end of the text");
		return value;
	}

	private Object value() {
		space();
		if (at >= text.length()) throw error("a value");
		char c = text.charAt(at);
		if (c == '{') return object();
		if (c == '[') return array();
		if (c == '"') return string();
		for (String word : new String[] { "true", "false", "null" }) {
			if (text.startsWith(word, at)) {
				at += word.length();
				return word.equals("null") ? null : Boolean.valueOf(word);
			}
		}
		int start = at;
		while (at < text.length() && "+-.eE0123456789".indexOf(text.charAt(at)) >= 0) at++;
		try {
			return Double.parseDouble(text.substring(start, at));
		}
		catch (NumberFormatException e) {
			at = start;
			throw error("a value");
		}
	}

	private Map<String, Object> object() {
		Map<String, Object> map = new LinkedHashMap<>();
		at++;
		space();
		if (next('}')) return map;
		do {
			space();
			if (at >= text.length() || text.charAt(at) != '"') throw error("a quoted key");
			String key = string();
			space();
			if (!next(':')) throw error("':'");
			map.put(key, value());
			space();
		}
		while (next(','));
		if (!next('}')) throw error("',' or '}'");
		return map;
	}

	private List<Object> array() {
		List<Object> list = new ArrayList<>();
		at++;
		space();
		if (next(']')) return list;
		do {
			list.add(value());
			space();
		}
		while (next(','));
		if (!next(']')) throw error("',' or ']'");
		return list;
	}

	private String string() {
		StringBuilder s = new StringBuilder();
		at++;
		while (at < text.length() && text.charAt(at) != '"') {
			char c = text.charAt(at++);
			if (c != '\\') {
				s.append(c);
				continue;
			}
			if (at >= text.length()) break;
			char e = text.charAt(at++);
			switch (e) {
				case 'n' -> s.append('\n');
				case 't' -> s.append('\t');
				case 'r' -> s.append('\r');
				case 'b' -> s.append('\b');
				case 'f' -> s.append('\f');
				case 'u' -> {
					if (at + 4 > text.length()) throw error("four hex digits");
					s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
					at += 4;
				}
				default -> s.append(e);
			}
		}
		if (!next('"')) throw error("a closing '\"'");
		return s.toString();
	}

	private boolean next(char c) {
		if (at < text.length() && text.charAt(at) == c) {
			at++;
			return true;
		}
		return false;
	}

	private void space() {
		while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
	}

	private IllegalArgumentException error(String expected) {
		return new IllegalArgumentException("expected " + expected + " at character " + (at + 1));
	}
}
