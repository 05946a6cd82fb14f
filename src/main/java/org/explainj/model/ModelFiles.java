package org.explainj.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.explainj.ExplainException;

/**
 * The files of one model as they are now: which format, the graph file's bytes (read once, after the
 * checks, so that what is audited is what TensorFlow imports) and an identity of the content. Every
 * file is checked to be a regular file (not a device, FIFO or socket, which could be endless or block)
 * and the model to be no larger than {@link #maxBytes()} before anything is read.
 *
 * @param path the model as the user named it, absolute and normalised (a SavedModel folder or a .pb)
 * @param savedModel whether it is a SavedModel folder (else a frozen GraphDef file)
 * @param graphFile saved_model.pb, saved_model.pbtxt or the frozen .pb
 * @param graph the graph file's bytes
 * @param identity what changes whenever the model's content does
 */
public record ModelFiles(Path path, boolean savedModel, Path graphFile, byte[] graph, Identity identity) {

	/** System property: the largest model (graph file plus variables) ExplainJ reads, in bytes. */
	public static final String MAX_BYTES_PROPERTY = "explainj.maxModelBytes";

	/** Protocol buffers cannot parse a graph larger than 2 GiB; the default limit is the same. */
	private static final long DEFAULT_MAX_BYTES = Integer.MAX_VALUE;

	/**
	 * Size, modification time and SHA-256 of the graph file and of the variables' index (which holds a
	 * checksum of every variable), so a model replaced by one with the same size and time (cp -p) differs.
	 */
	public record Identity(Path path, long size, long modified, String sha256) {}

	public static long maxBytes() {
		String value = System.getProperty(MAX_BYTES_PROPERTY);
		if (value == null) return DEFAULT_MAX_BYTES;
		try {
			return Long.parseLong(value.strip());
		}
		catch (NumberFormatException e) {
			throw new ExplainException("The system property " + MAX_BYTES_PROPERTY + "=" + value + " is not a number of bytes.",
				"Give a whole number, e.g. -D" + MAX_BYTES_PROPERTY + "=4000000000.");
		}
	}

	public static ModelFiles read(Path model) {
		Path path = model.toAbsolutePath().normalize();
		if (!Files.exists(path)) throw new ExplainException("Model not found: " + path + ".",
			"Give the folder of a SavedModel (the one holding saved_model.pb) or a frozen graph .pb file.");
		if (Files.isDirectory(path)) return readSavedModel(path);
		if (path.getFileName().toString().equals("saved_model.pb")) return readSavedModel(path.getParent());
		regular(path);
		return of(path, false, path, List.of());
	}

	public boolean hasVariablesIndex() {
		return Files.isRegularFile(path.resolve("variables").resolve("variables.index"));
	}

	private static ModelFiles readSavedModel(Path dir) {
		Path graphFile = dir.resolve("saved_model.pb");
		if (!Files.exists(graphFile)) graphFile = dir.resolve("saved_model.pbtxt");
		if (!Files.exists(graphFile)) throw new ExplainException("The folder " + dir +
			" is not a TensorFlow model: it has no saved_model.pb.",
			"Choose the SavedModel folder itself (the one with saved_model.pb and variables/) or a frozen .pb file.");
		regular(graphFile);
		Path variables = dir.resolve("variables");
		List<Path> files = List.of();
		if (Files.isDirectory(variables)) {
			try (Stream<Path> list = Files.list(variables)) {
				files = list.sorted().toList();
			}
			catch (IOException e) {
				throw new ExplainException("Cannot read " + variables + ": " + e.getMessage(), "Check the folder's permissions.",
					e);
			}
			files.forEach(ModelFiles::regular);
		}
		return of(dir, true, graphFile, files);
	}

	private static ModelFiles of(Path path, boolean savedModel, Path graphFile, List<Path> variables) {
		try {
			long total = Files.size(graphFile);
			for (Path v : variables) total += Files.size(v);
			long max = maxBytes();
			if (total > max) throw new ExplainException("The model " + path + " is " + megabytes(total) + ", more than " +
				"ExplainJ's limit of " + megabytes(max) + ".", "If it is a genuine model, raise the limit with -D" +
					MAX_BYTES_PROPERTY + "=BYTES.");
			byte[] graph = Files.readAllBytes(graphFile);
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(graph);
			long modified = Files.getLastModifiedTime(graphFile).toMillis();
			Path index = path.resolve("variables").resolve("variables.index");
			if (variables.contains(index)) {
				sha.update(Files.readAllBytes(index));
				modified = Math.max(modified, Files.getLastModifiedTime(index).toMillis());
			}
			return new ModelFiles(path, savedModel, graphFile, graph, new Identity(path, total, modified, HexFormat.of()
				.formatHex(sha.digest())));
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + path + ": " + e.getMessage(), "Check the files' permissions.", e);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java has SHA-256", e);
		}
	}

	/** Devices (/dev/zero), FIFOs and sockets could be endless or block for ever: refuse them unread. */
	private static void regular(Path file) {
		if (!Files.isRegularFile(file)) throw new ExplainException("The model file " + file +
			" is not a regular file (it is a folder, device, FIFO or socket).",
			"Give a SavedModel folder or a frozen .pb file stored on disk.");
	}

	private static String megabytes(long bytes) {
		return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
	}
}
