package org.explainj.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import org.explainj.ExplainException;

/**
 * Keeps recently used models open so that a macro looping over images loads each model once. A model
 * is keyed by the identity of its content ({@link ModelFiles.Identity}: size, time and SHA-256 of its
 * graph and variables index), so a model replaced on disk, even with its old modification time, is
 * loaded again. The content is hashed only when the file system says the files changed
 * ({@link ModelFiles#stamp}). Users hold a model through a {@link Lease} for as long as they run it; a model that is
 * evicted (least recently used beyond {@code capacity}, or replaced on disk) is closed only when its
 * last lease is released, so a run never sees its graph closed under it.
 */
public final class ModelCache {

	private static final ModelCache SHARED = new ModelCache(4);

	private final int capacity;
	private final LinkedHashMap<ModelFiles.Identity, Entry> models = new LinkedHashMap<>(8, 0.75f, true);
	/** Content identities of files whose state was seen unchanged: a model is hashed only when its files change. */
	private final Map<ModelFiles.Stamp, ModelFiles.Identity> identities = new HashMap<>();

	public ModelCache(int capacity) {
		this.capacity = capacity;
	}

	/** The cache of this JVM, shared by the commands, the bridge and the CLI. */
	public static ModelCache shared() {
		return SHARED;
	}

	/** An open model and how many leases hold it. */
	private static final class Entry {

		final ClassifierModel model;
		int leases;
		boolean evicted;

		Entry(ClassifierModel model) {
			this.model = model;
		}
	}

	/** Use of one model for the length of a run; release it (close) in a finally block or try-with-resources. */
	public final class Lease implements AutoCloseable {

		private final Entry entry;
		private boolean released;

		private Lease(Entry entry) {
			this.entry = entry;
		}

		public ClassifierModel model() {
			return entry.model;
		}

		@Override
		public void close() {
			synchronized (ModelCache.this) {
				if (released) return;
				released = true;
				entry.leases--;
				if (entry.evicted && entry.leases == 0) entry.model.close();
			}
		}
	}

	/**
	 * The model at {@code path} as its files are now, loaded when its content is new. A model holding
	 * operations the {@link ModelAudit} refuses is refused unless {@code trust}, also when an earlier
	 * caller trusted it.
	 */
	public Lease acquire(Path path, boolean trust) {
		ModelFiles.Stamp stamp = ModelFiles.stamp(path);
		synchronized (this) {
			Entry entry = stamp == null ? null : models.get(identities.get(stamp));
			// a model whose graph grew too large (many method structures) is loaded afresh below
			if (entry != null && !entry.model.overgrown()) return lease(entry, stamp.path(), trust);
		}
		ModelFiles files = ModelFiles.read(path);
		synchronized (this) {
			Entry entry = models.get(files.identity());
			if (entry == null || entry.model.overgrown()) {
				entry = new Entry(load(files, trust));
				evict(e -> e.getKey().path().equals(files.path()));
				models.put(files.identity(), entry);
				while (models.size() > capacity) {
					ModelFiles.Identity eldest = models.keySet().iterator().next();
					evict(e -> e.getKey().equals(eldest));
				}
			}
			identities.values().removeIf(id -> !models.containsKey(id));
			if (stamp != null) {
				identities.keySet().removeIf(s -> s.path().equals(stamp.path()));
				identities.put(stamp, files.identity());
			}
			return lease(entry, files.path(), trust);
		}
	}

	private Lease lease(Entry entry, Path path, boolean trust) {
		ModelAudit.check(entry.model.auditFindings(), path, trust);
		entry.leases++;
		return new Lease(entry);
	}

	/**
	 * Loads the model; a TensorFlow, protobuf or JavaCPP of another version earlier on the class path (Fiji's
	 * libtensorflow 1.15 in jars/, an old protobuf-java) shows as a linkage error: name the jar and the fix.
	 */
	private static ClassifierModel load(ModelFiles files, boolean trust) {
		try {
			return ModelLoader.load(files, trust);
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

	/** Drops every model; those still leased are closed when their last lease is released. */
	public synchronized void clear() {
		evict(e -> true);
	}

	private void evict(Predicate<Map.Entry<ModelFiles.Identity, Entry>> which) {
		for (Iterator<Map.Entry<ModelFiles.Identity, Entry>> it = models.entrySet().iterator(); it.hasNext();) {
			Map.Entry<ModelFiles.Identity, Entry> e = it.next();
			if (!which.test(e)) continue;
			it.remove();
			e.getValue().evicted = true;
			if (e.getValue().leases == 0) e.getValue().model.close();
		}
	}
}
