package org.explainj.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.explainj.ExplainException;

/**
 * Keeps recently used models open so that a macro looping over images loads each model once. A model
 * is keyed by its real path and the newest modification time of its files, so a re-exported model is
 * loaded again; the least recently used one is closed when more than {@code capacity} are open.
 */
public final class ModelCache {

	private static final ModelCache SHARED = new ModelCache(4);

	private record Key(Path path, long modified) {}

	private final int capacity;
	private final LinkedHashMap<Key, ClassifierModel> models = new LinkedHashMap<>(8, 0.75f, true);

	public ModelCache(int capacity) {
		this.capacity = capacity;
	}

	/** The cache of this JVM, shared by the commands, the bridge and the CLI. */
	public static ModelCache shared() {
		return SHARED;
	}

	public synchronized ClassifierModel get(Path path) {
		Path real = path.toAbsolutePath().normalize();
		Key key = new Key(real, Files.exists(real) ? newestModification(real) : 0);
		ClassifierModel model = models.get(key);
		// a model whose graph grew too large (many method structures) is loaded afresh below
		if (model != null && !model.overgrown()) return model;
		model = load(real);
		models.entrySet().removeIf(e -> {
			if (!e.getKey().path().equals(real)) return false;
			e.getValue().close();
			return true;
		});
		models.put(key, model);
		while (models.size() > capacity) {
			Map.Entry<Key, ClassifierModel> eldest = models.entrySet().iterator().next();
			eldest.getValue().close();
			models.remove(eldest.getKey());
		}
		return model;
	}

	/**
	 * Loads the model; a TensorFlow, protobuf or JavaCPP of another version earlier on the class path (Fiji's
	 * libtensorflow 1.15 in jars/, an old protobuf-java) shows as a linkage error: name the jar and the fix.
	 */
	private static ClassifierModel load(Path path) {
		try {
			return ModelLoader.load(path);
		}
		catch (LinkageError e) {
			String culprit = e.getMessage() == null ? "org.tensorflow.Graph" : e.getMessage().replaceAll(
				"^'?[^ ]* ?([\\w.$]+)\\..*", "$1").replace('/', '.');
			throw new ExplainException("TensorFlow Java cannot run: " + jarOf(culprit) + " holds another version of " +
				"classes ExplainJ needs (" + e + ").", "Remove that jar (e.g. libtensorflow-1.15 or an old protobuf-java " +
					"in Fiji's jars/) or replace it with the version in ExplainJ's target/lib/.");
		}
	}

	private static String jarOf(String className) {
		for (String candidate : new String[] { className, "org.tensorflow.Graph", "com.google.protobuf.Message" }) {
			try {
				var source = Class.forName(candidate, false, ModelCache.class.getClassLoader()).getProtectionDomain()
					.getCodeSource();
				if (source != null) return source.getLocation().getPath();
			}
			catch (ClassNotFoundException | LinkageError ignored) {
				// try the next candidate
			}
		}
		return "a jar on the class path";
	}

	public synchronized int size() {
		return models.size();
	}

	public synchronized void clear() {
		models.values().forEach(ClassifierModel::close);
		models.clear();
	}

	private static long newestModification(Path path) {
		try (Stream<Path> files = Files.walk(path)) {
			return files.mapToLong(p -> {
				try {
					return Files.getLastModifiedTime(p).toMillis();
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			}).max().orElse(0);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
