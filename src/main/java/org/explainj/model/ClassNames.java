package org.explainj.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.explainj.ExplainException;

/**
 * A model's class names, from the files beside it (in a SavedModel folder, or beside a frozen .pb):
 * {@value #LABELS} with one name per line, or {@value #SIDECAR}, a JSON object whose "classes" is the
 * list of names. Either may be there; when both are, they must agree. No names: classes are indices.
 */
public final class ClassNames {

	public static final String LABELS = "labels.txt";
	public static final String SIDECAR = "explainj.json";

	/** Where names come from, for messages about a class name that is not known. */
	public static final String WHERE = "class names come from " + LABELS + " (one name per line) or " + SIDECAR +
		" ({\"classes\": [\"name 0\", \"name 1\"]}) beside the model";

	private ClassNames() {}

	/** The names in the folder, empty when it has neither file. */
	static List<String> in(Path folder) {
		List<String> lines = labels(folder.resolve(LABELS));
		List<String> sidecar = sidecar(folder.resolve(SIDECAR));
		if (!lines.isEmpty() && !sidecar.isEmpty() && !lines.equals(sidecar)) throw new ExplainException(LABELS + " " +
			lines + " and " + SIDECAR + " " + sidecar + " in " + folder + " name different classes.",
			"Keep one of them, or make them agree.");
		return sidecar.isEmpty() ? lines : sidecar;
	}

	private static List<String> labels(Path file) {
		if (!Files.isRegularFile(file)) return List.of();
		return read(file).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
	}

	private static List<String> sidecar(Path file) {
		if (!Files.isRegularFile(file)) return List.of();
		Object json;
		try {
			json = new Json(read(file)).document();
		}
		catch (IllegalArgumentException e) {
			throw new ExplainException(file + " is not valid JSON: " + e.getMessage() + ".", "Write it as e.g. " +
				"{\"classes\": [\"infected\", \"uninfected\"]}.");
		}
		Object classes = json instanceof Map<?, ?> m ? m.get("classes") : null;
		if (classes == null) return List.of();
		List<String> names = new ArrayList<>();
		if (classes instanceof List<?> list) for (Object o : list) if (o instanceof String s && !s.isBlank()) names.add(s
			.strip());
		if (!(classes instanceof List<?> list) || names.size() != list.size()) throw new ExplainException("\"classes\" in " +
			file + " is not a list of names.", "Write it as e.g. \"classes\": [\"infected\", \"uninfected\"].");
		return List.copyOf(names);
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + file + ": " + e.getMessage(), "Check the file's permissions.", e);
		}
	}
}
