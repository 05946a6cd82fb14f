package org.explainj.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

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
		if (model != null) return model;
		model = ModelLoader.load(real);
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
