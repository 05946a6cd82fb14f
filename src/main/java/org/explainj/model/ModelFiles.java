package org.explainj.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.explainj.ExplainException;

/**
 * The files of one model as they are now: which format, the graph file's bytes (read once, after the
 * checks, so that what is audited is what TensorFlow imports) and an identity of the content. Every
 * file is checked to be a regular file (not a device, FIFO or socket, which could be endless or block)
 * and the model to be no larger than {@link #maxBytes()} before anything is read; no read goes past
 * the size a file had when it was checked.
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

	/** Java's largest array, a little under 2 GiB; protocol buffers parse no larger message either. */
	private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

	/**
	 * Size, modification time and SHA-256 of the graph file and of the variables' index (which holds a
	 * checksum of every variable), so a model replaced by one with the same size and time (cp -p) differs.
	 */
	public record Identity(Path path, long size, long modified, String sha256) {}

	public static long maxBytes() {
		String value = System.getProperty(MAX_BYTES_PROPERTY);
		if (value == null) return DEFAULT_MAX_BYTES;
		long max;
		try {
			max = Long.parseLong(value.strip());
		}
		catch (NumberFormatException e) {
			max = 0;
		}
		if (max <= 0) throw new ExplainException("The system property " + MAX_BYTES_PROPERTY + "=" + value +
			" is not a number of bytes.", "Give a positive whole number, e.g. -D" + MAX_BYTES_PROPERTY + "=4000000000.");
		return max;
	}

	/**
	 * What the file system tells about the model's files without reading them (file key, size, change
	 * and modification time of each), which changes whenever their content does: any write, a cp -p or
	 * a replacement sets the change time. Null where the file system keeps no change time (Windows):
	 * then the content has to be hashed each time. Checks the files as {@link #read} does.
	 */
	public static Stamp stamp(Path model) {
		Located files = locate(model);
		List<String> states = new ArrayList<>();
		try {
			for (Path f : files.withClassNames()) {
				Map<String, Object> a = Files.readAttributes(f, "unix:ino,dev,size,ctime,lastModifiedTime");
				states.add(a.get("dev") + ":" + a.get("ino") + ":" + a.get("size") + ":" + a.get("ctime") + ":" + a.get(
					"lastModifiedTime"));
			}
		}
		catch (UnsupportedOperationException | IllegalArgumentException e) {
			return null;
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + files.path() + ": " + e.getMessage(), "Check the files' permissions.",
				e);
		}
		return new Stamp(files.path(), states);
	}

	/** The state of a model's files as {@link #stamp} sees it. */
	public record Stamp(Path path, List<String> states) {}

	/** Test hook: runs between the checks and the reading, where a file may grow or be replaced. */
	static Runnable afterChecks = () -> {};

	/** Checks the model's files and reads its graph file. */
	public static ModelFiles read(Path model) {
		Located files = locate(model);
		Path path = files.path();
		afterChecks.run();
		try {
			byte[] graph = readChecked(files, files.graphFile());
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(graph);
			long modified = Files.getLastModifiedTime(files.graphFile()).toMillis();
			Path index = path.resolve("variables").resolve("variables.index");
			if (files.variables().contains(index)) {
				sha.update(readChecked(files, index));
				modified = Math.max(modified, Files.getLastModifiedTime(index).toMillis());
			}
			// class names are part of the model as ExplainJ loads it: new names load it again
			for (Path names : files.classNameFiles()) sha.update(Files.readAllBytes(names));
			return new ModelFiles(path, files.savedModel(), files.graphFile(), graph, new Identity(path, files.total(),
				modified, HexFormat.of().formatHex(sha.digest())));
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + path + ": " + e.getMessage(), "Check the files' permissions.", e);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java has SHA-256", e);
		}
	}

	public boolean hasVariablesIndex() {
		return Files.isRegularFile(path.resolve("variables").resolve("variables.index"));
	}

	/**
	 * Reads at most the size {@code file} had when it was checked, plus one byte, through one open
	 * channel: a file that grew since, or whose path now leads to a device such as /dev/zero, is refused
	 * instead of being read without end.
	 */
	private static byte[] readChecked(Located files, Path file) throws IOException {
		long checked = files.sizes().get(file);
		if (checked >= MAX_ARRAY) throw new ExplainException("The file " + file + " is " + megabytes(checked) +
			", more than the 2 GB that TensorFlow can parse as one graph.", "Export the model with its weights in " +
				"variables/ (a SavedModel) instead of as constants.");
		ByteBuffer buffer = ByteBuffer.allocate((int) checked + 1);
		try (SeekableByteChannel in = Files.newByteChannel(file)) {
			int read = 0;
			while (read >= 0 && buffer.hasRemaining()) read = in.read(buffer);
		}
		if (buffer.position() > checked) throw new ExplainException("The model file " + file + " changed while it " +
			"was being read (it grew, or its path now leads to a device).", "Load it again once it is completely written.");
		return Arrays.copyOf(buffer.array(), buffer.position());
	}

	/** A model's files, checked to be regular files within the size limit (with their sizes then), not read yet. */
	private record Located(Path path, boolean savedModel, Path graphFile, List<Path> variables, Map<Path, Long> sizes) {

		List<Path> all() {
			List<Path> all = new ArrayList<>(List.of(graphFile));
			all.addAll(variables);
			return all;
		}

		long total() {
			return sizes.values().stream().mapToLong(Long::longValue).sum();
		}

		/** labels.txt and explainj.json where they are there ({@link ClassNames}). */
		List<Path> classNameFiles() {
			Path folder = savedModel ? path : path.getParent();
			return java.util.stream.Stream.of(ClassNames.LABELS, ClassNames.SIDECAR).map(folder::resolve).filter(
				Files::isRegularFile).toList();
		}

		List<Path> withClassNames() {
			List<Path> all = all();
			all.addAll(classNameFiles());
			return all;
		}
	}

	private static Located locate(Path model) {
		Path path = model.toAbsolutePath().normalize();
		if (!Files.exists(path)) throw new ExplainException("Model not found: " + path + ".",
			"Give the folder of a SavedModel (the one holding saved_model.pb) or a frozen graph .pb file.");
		Located files;
		if (Files.isDirectory(path)) files = locateSavedModel(path);
		else if (path.getFileName().toString().equals("saved_model.pb")) files = locateSavedModel(path.getParent());
		else files = new Located(path, false, path, List.of(), Map.of());
		files.all().forEach(ModelFiles::regular);
		Map<Path, Long> sizes = new HashMap<>();
		try {
			for (Path f : files.all()) sizes.put(f, Files.size(f));
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + path + ": " + e.getMessage(), "Check the files' permissions.", e);
		}
		files = new Located(files.path(), files.savedModel(), files.graphFile(), files.variables(), Map.copyOf(sizes));
		long max = maxBytes();
		if (files.total() > max) throw new ExplainException("The model " + path + " is " + megabytes(files.total()) +
			", more than ExplainJ's limit of " + megabytes(max) + ".", "If it is a genuine model, raise the limit with -D" +
				MAX_BYTES_PROPERTY + "=BYTES.");
		return files;
	}

	private static Located locateSavedModel(Path dir) {
		Path graphFile = dir.resolve("saved_model.pb");
		if (!Files.exists(graphFile)) graphFile = dir.resolve("saved_model.pbtxt");
		if (!Files.exists(graphFile)) return onlyFrozenGraph(dir);
		Path variables = dir.resolve("variables");
		if (!Files.isDirectory(variables)) return new Located(dir, true, graphFile, List.of(), Map.of());
		try (Stream<Path> list = Files.list(variables)) {
			return new Located(dir, true, graphFile, list.sorted().toList(), Map.of());
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + variables + ": " + e.getMessage(), "Check the folder's permissions.",
				e);
		}
	}

	/** A folder without saved_model.pb that holds exactly one frozen graph .pb is that graph. */
	private static Located onlyFrozenGraph(Path dir) {
		List<Path> graphs;
		try (Stream<Path> list = Files.list(dir)) {
			graphs = list.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pb")).sorted().toList();
		}
		catch (IOException e) {
			throw new ExplainException("Cannot read " + dir + ": " + e.getMessage(), "Check the folder's permissions.", e);
		}
		if (graphs.size() == 1) return new Located(graphs.get(0), false, graphs.get(0), List.of(), Map.of());
		if (graphs.isEmpty()) throw new ExplainException("The folder " + dir + " is not a TensorFlow model: it has no " +
			"saved_model.pb and no frozen graph .pb.", "Choose the SavedModel folder itself (the one with saved_model.pb " +
				"and variables/) or a frozen .pb file.");
		throw new ExplainException("The folder " + dir + " holds " + graphs.size() + " frozen graphs " + graphs.stream().map(
			f -> f.getFileName().toString()).toList() + " and no saved_model.pb; ExplainJ cannot tell which one to open.",
			"Give the .pb file itself.");
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
