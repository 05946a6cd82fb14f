package org.explainj.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.explainj.ExplainException;

/**
 * What the files beside a model say about it: its class names ({@link ClassNames}), and from
 * {@value ClassNames#SIDECAR} the input scaling it was trained with ({@code "scaling"}: a scaling's name,
 * checked where images are scaled, the stage that knows the scalings) and the order of its input channels ({@code "channels"}: "rgb",
 * "bgr" or a list giving, for each model channel, the image channel (1, 2, 3 ...) that feeds it). A
 * value that is not one of these is refused with the file and the key named.
 */
public record ModelSidecar(Path file, List<String> classes, Optional<String> scaling,
	Optional<List<Integer>> channelOrder)
{
	static final String EXAMPLE = "{\"classes\": [\"infected\", \"uninfected\"], \"scaling\": \"unit\", " +
		"\"channels\": \"rgb\"}";

	/** The sidecar and the class names in {@code folder}; empty values where there are none. */
	static ModelSidecar in(Path folder) {
		Path file = folder.resolve(ClassNames.SIDECAR);
		Map<?, ?> json = document(file);
		return new ModelSidecar(file, ClassNames.of(folder, classes(json, file)), scaling(json, file), channelOrder(json,
			file));
	}

	private static Map<?, ?> document(Path file) {
		if (!Files.isRegularFile(file)) return Map.of();
		Object json;
		try {
			json = new Json(ClassNames.read(file)).document();
		}
		catch (IllegalArgumentException e) {
			throw new ExplainException(file + " is not valid JSON: " + e.getMessage() + ".", "Write it as e.g. " + EXAMPLE +
				".");
		}
		if (!(json instanceof Map<?, ?> m)) throw new ExplainException(file + " is not a JSON object.", "Write it as e.g. " +
			EXAMPLE + ".");
		return m;
	}

	private static List<String> classes(Map<?, ?> json, Path file) {
		Object classes = json.get("classes");
		if (classes == null) return List.of();
		List<String> names = new ArrayList<>();
		if (classes instanceof List<?> list) for (Object o : list) if (o instanceof String s && !s.isBlank()) names.add(s
			.strip());
		if (!(classes instanceof List<?> list) || names.size() != list.size()) throw new ExplainException("\"classes\" in " +
			file + " is not a list of names.", "Write it as e.g. \"classes\": [\"infected\", \"uninfected\"].");
		return List.copyOf(names);
	}

	private static Optional<String> scaling(Map<?, ?> json, Path file) {
		Object scaling = json.get("scaling");
		if (scaling == null) return Optional.empty();
		if (!(scaling instanceof String s)) throw new ExplainException("\"scaling\" in " + file + " is " + quoted(scaling) +
			", not a scaling name.", "Write e.g. \"scaling\": \"unit\".");
		return Optional.of(s);
	}

	private static Optional<List<Integer>> channelOrder(Map<?, ?> json, Path file) {
		Object channels = json.get("channels");
		if (channels == null) return Optional.empty();
		if ("rgb".equals(channels)) return Optional.of(List.of(1, 2, 3));
		if ("bgr".equals(channels)) return Optional.of(List.of(3, 2, 1));
		List<Integer> order = new ArrayList<>();
		if (channels instanceof List<?> list) {
			for (Object o : list) {
				if (o instanceof Double d && d == Math.rint(d) && d >= 1 && d <= list.size()) order.add(d.intValue());
			}
		}
		if (!(channels instanceof List<?> list) || list.isEmpty() || order.size() != list.size()) throw new ExplainException(
			"\"channels\" in " + file + " is " + quoted(channels) + ", not a channel order.", "Write \"channels\": \"rgb\", " +
				"\"bgr\" or a list giving the image channel (1 to the number of channels) of each model channel, e.g. " +
				"[3, 2, 1].");
		return Optional.of(List.copyOf(order));
	}

	private static String quoted(Object value) {
		return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
	}
}
