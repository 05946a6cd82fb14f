package org.explainj.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.model.ClassNames;

/**
 * The files a run reads (image, baseline, model, labels ...). An output that would replace one of them,
 * or land inside a model folder, is refused before anything runs. Paths are compared as real paths, so
 * a symbolic link or another spelling of an input is caught too.
 */
public final class InputFiles {

	private record Input(String role, Path given, Path real, boolean folder) {}

	private final List<Input> inputs = new ArrayList<>();

	/** Adds a file the run reads; null or missing files are ignored (the run reports those itself). */
	public InputFiles file(String role, Path file) {
		if (file != null && Files.exists(file)) inputs.add(new Input(role, file, real(file), Files.isDirectory(file)));
		return this;
	}

	/**
	 * A model: a SavedModel folder (and everything in it), or a frozen .pb with the labels.txt and
	 * explainj.json beside it that the loader reads.
	 */
	public InputFiles model(Path model) {
		if (model == null || !Files.exists(model)) return this;
		Path folder = Files.isDirectory(model) ? model : model.getFileName().toString().equals("saved_model.pb") ? model
			.toAbsolutePath().getParent() : null;
		// a folder without saved_model.pb is no model: the loader says so, which is the clearer message
		if (folder != null) return Files.exists(folder.resolve("saved_model.pb")) || Files.exists(folder.resolve(
			"saved_model.pbtxt")) ? file("model folder", folder) : this;
		file("model file", model);
		file("model's " + ClassNames.SIDECAR, model.toAbsolutePath().resolveSibling(ClassNames.SIDECAR));
		return file("model's " + ClassNames.LABELS, model.toAbsolutePath().resolveSibling(ClassNames.LABELS));
	}

	/** Throws when {@code output} is one of the inputs or lies inside an input folder. */
	public void refuse(String what, Path output) {
		Path out = real(output);
		for (Input in : inputs) {
			boolean same = out.equals(in.real()) || sameFile(output, in.given());
			if (same || in.folder() && out.startsWith(in.real())) throw new ExplainException(what + " " + output + (same
				? " is the " + in.role() + " " + in.given() + ": writing it would destroy the input."
				: " lies inside the " + in.role() + " " + in.given() + "."),
				"Choose an output outside the inputs (another name or folder).");
		}
	}

	/** The real path of an existing file; for a new one, its existing ancestor's real path plus the rest. */
	private static Path real(Path p) {
		Path abs = p.toAbsolutePath().normalize();
		Path existing = abs;
		while (existing != null && !Files.exists(existing)) existing = existing.getParent();
		if (existing == null) return abs;
		try {
			return existing.toRealPath().resolve(existing.relativize(abs));
		}
		catch (IOException e) {
			return abs;
		}
	}

	/** Hard links: the same file under two real paths. */
	private static boolean sameFile(Path a, Path b) {
		try {
			return Files.exists(a) && Files.isSameFile(a, b);
		}
		catch (IOException e) {
			return false;
		}
	}
}
