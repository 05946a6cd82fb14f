package org.explainj.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.explainj.ExplainException;

/**
 * A model's class names, from the files beside it (in a SavedModel folder, or beside a frozen .pb):
 * {@value #LABELS} with one name per line, or {@value #SIDECAR}, a JSON object whose "classes" is the
 * list of names ({@link ModelSidecar} reads the rest of it). Either may be there; when both are, they
 * must agree. No names: classes are indices.
 */
public final class ClassNames {

	public static final String LABELS = "labels.txt";
	public static final String SIDECAR = "explainj.json";

	/** Where names come from, for messages about a class name that is not known. */
	public static final String WHERE = "class names come from " + LABELS + " (one name per line) or " + SIDECAR +
		" ({\"classes\": [\"name 0\", \"name 1\"]}) beside the model";

	private ClassNames() {}

	/**
	 * The names in the folder: those of {@value #LABELS}, or {@code fromSidecar} (the "classes" of
	 * {@value #SIDECAR}); they must agree where both are there. Empty when neither is.
	 */
	static List<String> of(Path folder, List<String> fromSidecar) {
		List<String> lines = labels(folder.resolve(LABELS));
		if (!lines.isEmpty() && !fromSidecar.isEmpty() && !lines.equals(fromSidecar)) throw new ExplainException(LABELS +
			" " + lines + " and " + SIDECAR + " " + fromSidecar + " in " + folder + " name different classes.",
			"Keep one of them, or make them agree.");
		return fromSidecar.isEmpty() ? lines : fromSidecar;
	}

	private static List<String> labels(Path file) {
		if (!Files.isRegularFile(file)) return List.of();
		return read(file).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
	}

	static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + file + ": " + e.getMessage(), "Check the file's permissions.", e);
		}
	}
}
