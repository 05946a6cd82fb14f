package org.explainj.methods;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ScoreKind;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Runs a method on a batch: builds its ops once per (model, method structure, score, reduction, unit),
 * with the per-call numbers fed, and runs them in chunks of at most {@code batchSize} network
 * evaluations: a method that evaluates the network k times per image gets batchSize / k images a run,
 * and a method that sums over many parts (path points, noisy copies, windows) gets its parts in chunks
 * ({@link #plan}), added up in the graph (the running sum is fed back), so that memory does not grow with
 * steps or samples. Such a method first scores the images alone (prediction, target, per-image numbers)
 * and feeds that to its runs of parts, which then evaluate nothing but parts. A run that TensorFlow
 * cannot allocate (ResourceExhausted) is tried again with half the chunk.
 */
public final class Explainer {

	private record Key(String method, Map<String, String> structure, ScoreKind score, Reduction reduction,
		Target.Unit unit) {}

	/**
	 * The ops of one method: its share for the fed parts, the running sums (their fed previous values null for
	 * a method without parts), and the finished map.
	 */
	private record Ops(AttributionContext context, Operand<TFloat32> previous, Operand<TFloat32> sum,
		List<Operand<TFloat32>> previousReports, List<Operand<TFloat32>> reportSums, Operand<TFloat32> map,
		Operand<TFloat32> probabilities) {}

	private final ClassifierModel model;
	private final Map<? extends Operand<?>, ? extends org.tensorflow.Tensor> extraFeeds;
	// test hook: runs with more evaluations than this fail as TensorFlow's allocator would
	private final int evaluationLimit;
	// where the step statistics of traced runs go (the bench's profile), else null
	private final java.util.function.Consumer<org.tensorflow.proto.StepStats> trace;

	public Explainer(ClassifierModel model) {
		this(model, Map.of(), Integer.MAX_VALUE, null);
	}

	/**
	 * An explainer that feeds {@code feeds} with every run in place of those tensors of the graph (e.g.
	 * randomised weights for the sanity check); the caller owns and closes the tensors.
	 */
	public Explainer(ClassifierModel model, Map<? extends Operand<?>, ? extends org.tensorflow.Tensor> feeds) {
		this(model, feeds, Integer.MAX_VALUE, null);
	}

	Explainer(ClassifierModel model, int evaluationLimit) {
		this(model, Map.of(), evaluationLimit, null);
	}

	private Explainer(ClassifierModel model, Map<? extends Operand<?>, ? extends org.tensorflow.Tensor> feeds,
		int evaluationLimit, java.util.function.Consumer<org.tensorflow.proto.StepStats> trace)
	{
		this.model = model;
		this.extraFeeds = Map.copyOf(feeds);
		this.evaluationLimit = evaluationLimit;
		this.trace = trace;
	}

	/**
	 * The same explainer, with every run traced by TensorFlow (each op's start and duration) and its step
	 * statistics handed to {@code sink}: where a method's time goes. Tracing itself costs time.
	 */
	public Explainer traced(java.util.function.Consumer<org.tensorflow.proto.StepStats> sink) {
		return new Explainer(model, extraFeeds, evaluationLimit, sink);
	}

	public Explanation explain(AttributionMethod method, InputBatch batch, Target target, ScoreKind score,
		Reduction reduction, int batchSize)
	{
		return explain(method, MethodSettings.defaults(method), batch, null, target, score, reduction, batchSize,
			(done, total) -> {});
	}

	/**
	 * Progress is reported after each chunk (a progress callback may throw {@link CancellationException});
	 * an interrupted thread stops between chunks. {@code reference}
	 * is the user's baseline image (one image in model geometry) for methods that ask for one, else null.
	 */
	public Explanation explain(AttributionMethod method, MethodSettings settings, InputBatch batch,
		InputBatch reference, Target target, ScoreKind score, Reduction reduction, int batchSize, Progress progress)
	{
		if (batchSize < 1) throw new ExplainException("Batch size " + batchSize + " is not positive.",
			"Use 1 or more.");
		batch.checkFits(model.height(), model.width(), model.channels());
		Target.Unit unit = target.unit().orElse(null);
		if (unit != null && !method.explainsUnits()) throw new ExplainException("The target " + target + " is an " +
			"internal unit (LAYER:CHANNEL); " + method.name() + " explains classes.", "Use deconvnet or guided-backprop " +
				"for units, or a class as target.");
		method.check(settings);
		Ops ops = model.ops(new Key(method.name(), method.structure(settings), score, reduction, unit), tf -> build(tf,
			method, settings, score, reduction, unit));
		int targetIndex = target.index(model.labels(), model.numClasses());
		if (ops.context().referencePlaceholder() != null && reference == null) throw new ExplainException(method.name() +
			" needs a reference image here.", "Give an image file as its baseline.");
		boolean chunked = chunked(ops.context());
		int parts = chunked ? method.parts(settings, batch.height(), batch.width()) : 1;
		Map<String, float[]> partValues = chunked ? method.partValues(settings) : Map.of();
		int perImage = Math.max(1, method.evaluationsPerImage(settings, batch.height(), batch.width()));
		// an image's evaluations: perPart for each part, plus the image's own where a method counts them; a
		// method run in parts evaluates the image (and what it marks once per image) in a first pass, and its
		// runs of parts hold parts alone
		int perPart = Math.max(1, perImage / parts);
		int[] plan = plan(batch.n(), parts, chunked ? perPart : perImage, batchSize);
		int images = plan[0], partsPerRun = plan[1];
		Collector out = new Collector(batch.n(), model.numClasses(), ops.context().diagnostics().keySet());
		try (TFloat32 ref = reference == null ? null : TFloat32.tensorOf(Shape.of(1, reference.height(), reference
			.width(), reference.channels()), DataBuffers.of(reference.data(), true, false));
			Feeds feeds = new Feeds(ops, settings, ref))
		{
			// the status line shows from the first batch on, not only after it
			progress.update(0, batch.n() * parts);
			if (chunked) firstPass(ops, feeds, batch, targetIndex, batchSize, out);
			for (int start = 0; start < batch.n();) {
				if (Thread.currentThread().isInterrupted()) throw new CancellationException();
				int m = Math.min(images, batch.n() - start);
				try (FedTensors group = chunked ? out.known(ops.context(), start, m) : requested(ops, m, targetIndex)) {
					group.put(model.input(), imageTensor(batch, start, m));
					int done = start;
					partsPerRun = runParts(ops, feeds, group, m, parts, partsPerRun, perPart, partValues, out, start,
						partsDone -> progress.update(done * parts + m * partsDone, batch.n() * parts));
					start += m;
				}
				catch (OutOfMemory e) {
					if (m == 1) throw e.tooBig();
					// not even one part of m images fitted: half the images (their chunks start again from the last
					// size that worked and halve as needed)
					images = Math.max(1, m / 2);
				}
			}
		}
		return out.explanation(method.name());
	}

	private Ops build(org.tensorflow.op.Ops tf, AttributionMethod method, MethodSettings settings, ScoreKind score,
		Reduction reduction, Target.Unit unit)
	{
		AttributionContext context = new AttributionContext(tf, model, score, settings, unit);
		Operand<TFloat32> share = method.build(context);
		// a method without parts runs once per image: its share is the sum, with no running sum to add to
		boolean chunked = chunked(context);
		Operand<TFloat32> previous = chunked ? runningSum(tf, share) : null;
		Operand<TFloat32> sum = chunked ? tf.math.add(previous, share) : share;
		List<Operand<TFloat32>> previousReports = new ArrayList<>();
		List<Operand<TFloat32>> reportSums = new ArrayList<>();
		for (Operand<TFloat32> report : context.diagnostics().values()) {
			Operand<TFloat32> p = chunked ? runningSum(tf, report) : null;
			previousReports.add(p);
			reportSums.add(chunked ? tf.math.add(p, report) : report);
		}
		// an identity: the finished map may be the share itself, which may be a fed tensor (the input)
		return new Ops(context, previous, sum, previousReports, reportSums, tf.identity(reduction.apply(tf, method.finish(
			context, sum))), model.scores(tf, ScoreKind.PROBABILITY));
	}

	/** Whether the method sums over parts fed a chunk at a time (path points, noisy copies, windows). */
	private static boolean chunked(AttributionContext context) {
		return context.fedPartIndices() != null || !context.fedPartValues().isEmpty();
	}

	/**
	 * Images a group and parts a run {m, p}: batch size counts network evaluations a run (m p perRow, at
	 * least one image and part); of the plans that fit, the one with the fewest runs over the batch, then
	 * the fewest images a group (smaller running sums). 32 images of 100 occlusion windows run as 8 images
	 * by 4 windows, 100 full runs, where each image's windows alone took 32 + 32 + 32 + 4, 128 runs.
	 */
	static int[] plan(int n, int parts, int perRow, int batchSize) {
		int[] best = { 1, 1 };
		long fewest = Long.MAX_VALUE;
		for (int p = Math.max(1, Math.min(parts, batchSize / perRow)); p >= 1; p--) {
			int m = Math.max(1, Math.min(n, batchSize / (p * perRow)));
			long runs = (long) ceilDiv(n, m) * ceilDiv(parts, p);
			if (runs < fewest) {
				fewest = runs;
				best = new int[] { m, p };
			}
		}
		return best;
	}

	private static int ceilDiv(int a, int b) {
		return (a + b - 1) / b;
	}

	/** Images start .. start + m - 1 of the batch as a tensor. */
	private static TFloat32 imageTensor(InputBatch batch, int start, int m) {
		return TFloat32.tensorOf(Shape.of(m, batch.height(), batch.width(), batch.channels()), DataBuffers.of(batch.data(),
			true, false).slice((long) start * batch.imageSize(), (long) m * batch.imageSize()));
	}

	/** The requested target of m images, which the graph resolves (-1: the predicted class). */
	private static FedTensors requested(Ops ops, int m, int targetIndex) {
		return new FedTensors().put(ops.context().requestedTarget(), TInt32.vectorOf(filled(m, targetIndex)));
	}

	/**
	 * The first pass of a method run in parts: each image's prediction, explained class, its score and the
	 * values the method marks {@link AttributionContext#oncePerImage}, in runs within the batch size (the image
	 * and each marked value count one evaluation per image). The runs of parts are fed these, so that they
	 * evaluate parts alone instead of the image (and its baseline) again with every chunk.
	 */
	private void firstPass(Ops ops, Feeds feeds, InputBatch batch, int targetIndex, int batchSize, Collector out) {
		AttributionContext c = ops.context();
		int evaluations = 1 + c.oncePerImageValues().size(), images = Math.max(1, batchSize / evaluations);
		for (int start = 0; start < batch.n();) {
			if (Thread.currentThread().isInterrupted()) throw new CancellationException();
			int m = Math.min(images, batch.n() - start);
			try (FedTensors group = requested(ops, m, targetIndex).put(model.input(), imageTensor(batch, start, m))) {
				checkTestLimit((long) m * evaluations);
				var runner = fetchPredictions(runner(feeds, group, null), ops);
				c.oncePerImageValues().forEach(runner::fetch);
				Result r = run(runner);
				out.addPredictions(start, m, r, 0);
				out.addKnown(c, start, m, r, PREDICTIONS);
				start += m;
			}
			catch (TFResourceExhaustedException e) {
				if (m == 1) throw new OutOfMemory(e, "one image", evaluations).tooBig();
				images = Math.max(1, m / 2);
			}
		}
	}

	/** The sum of the earlier chunks' shares, fed back; zeros (of the share's shape) before the first. */
	private static Operand<TFloat32> runningSum(org.tensorflow.op.Ops tf, Operand<TFloat32> share) {
		return tf.placeholderWithDefault(tf.zerosLike(share), Shape.unknown());
	}

	/**
	 * Runs the parts of m images in chunks, feeding each chunk's running sums into the next; returns the
	 * chunk size that worked (halved after each out-of-memory run).
	 */
	private int runParts(Ops ops, Feeds feeds, FedTensors group, int m, int parts, int partsPerRun, int perPart,
		Map<String, float[]> partValues, Collector out, int start, java.util.function.IntConsumer partsDone)
	{
		List<TFloat32> sums = null;
		try {
			for (int first = 0; first < parts;) {
				if (Thread.currentThread().isInterrupted()) throw new CancellationException();
				int count = Math.min(partsPerRun, parts - first);
				boolean last = first + count == parts;
				List<TFloat32> next;
				try (FedTensors chunk = feeds.chunk(first, count, partValues)) {
					checkTestLimit((long) m * count * perPart);
					next = run(ops, feeds, group, chunk, sums, last, out, start, m);
				}
				catch (TFResourceExhaustedException e) {
					if (count == 1) throw new OutOfMemory(e, parts > 1 ? "one image, one part" : "one image", perPart);
					partsPerRun = Math.max(1, count / 2);
					continue;
				}
				close(sums);
				sums = next;
				first += count;
				partsDone.accept(first);
			}
			return partsPerRun;
		}
		finally {
			close(sums);
		}
	}

	/**
	 * One run; returns the new running sums (map, then reports; the last run: the reports alone) and on the last
	 * chunk also collects the results (a method without parts: with its prediction, target and score).
	 */
	private List<TFloat32> run(Ops ops, Feeds feeds, FedTensors group, FedTensors chunk, List<TFloat32> sums,
		boolean last, Collector out, int start, int m)
	{
		var runner = runner(feeds, group, chunk);
		if (sums != null) {
			runner.feed(ops.previous(), sums.get(0));
			for (int d = 0; d < ops.previousReports().size(); d++) runner.feed(ops.previousReports().get(d), sums.get(d + 1));
		}
		// the last run's map is finished in the graph: its running sum is not fetched (a method without parts
		// has only that run, and its share may be a fed tensor, e.g. the input, which a run cannot fetch too)
		if (!last) runner.fetch(ops.sum());
		ops.reportSums().forEach(runner::fetch);
		// a method in parts had its predictions in the first pass
		boolean predictions = last && !chunked(ops.context());
		if (last) runner.fetch(ops.map());
		if (predictions) fetchPredictions(runner, ops);
		Result r = run(runner);
		List<TFloat32> next = new ArrayList<>();
		int sumsFetched = ops.reportSums().size() + (last ? 0 : 1);
		for (int i = 0; i < sumsFetched; i++) next.add((TFloat32) r.get(i));
		if (last) {
			try (TFloat32 map = (TFloat32) r.get(sumsFetched)) {
				out.addMaps(start, m, map, next);
			}
			if (predictions) out.addPredictions(start, m, r, sumsFetched + 1);
		}
		return next;
	}

	/** How many tensors {@link #fetchPredictions} adds. */
	private static final int PREDICTIONS = 4;

	/** Adds the fetches of each image's prediction, target, its score and the probabilities, in that order. */
	private static org.tensorflow.Session.Runner fetchPredictions(org.tensorflow.Session.Runner runner, Ops ops) {
		AttributionContext c = ops.context();
		return runner.fetch(c.predicted()).fetch(c.target()).fetch(c.targetScore()).fetch(ops.probabilities());
	}

	/** The test hook: a run of more evaluations than the limit fails as TensorFlow's allocator would. */
	private void checkTestLimit(long evaluations) {
		if (evaluations > evaluationLimit) throw new TFResourceExhaustedException(
			"OOM when allocating tensor (test limit " + evaluationLimit + " evaluations)");
	}

	/** A runner fed with the method's numbers, the explainer's extra feeds, a group of images and a chunk. */
	private org.tensorflow.Session.Runner runner(Feeds feeds, FedTensors group, FedTensors chunk) {
		var runner = model.session().runner();
		feeds.apply(runner);
		extraFeeds.forEach(runner::feed);
		group.apply(runner);
		if (chunk != null) chunk.apply(runner);
		return runner;
	}

	private Result run(org.tensorflow.Session.Runner runner) {
		if (trace == null) return runner.run();
		Result r = runner.setOptions(TRACED).runAndFetchMetadata();
		trace.accept(r.getMetadata().orElseThrow().getStepStats());
		return r;
	}

	private static final org.tensorflow.proto.RunOptions TRACED = org.tensorflow.proto.RunOptions.newBuilder()
		.setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel.FULL_TRACE).build();

	private static int[] filled(int m, int value) {
		int[] a = new int[m];
		Arrays.fill(a, value);
		return a;
	}

	private static void close(List<TFloat32> tensors) {
		if (tensors != null) tensors.forEach(TFloat32::close);
	}

	/** What every run feeds besides the images: the method's numbers, the reference, the chunk's parts. */
	private static final class Feeds implements AutoCloseable {

		private final Ops ops;
		private final Map<Placeholder<?>, org.tensorflow.Tensor> fixed = new LinkedHashMap<>();

		Feeds(Ops ops, MethodSettings settings, TFloat32 reference) {
			this.ops = ops;
			ops.context().fedScalars().forEach((name, p) -> fixed.put(p, TFloat32.scalarOf((float) settings.number(name))));
			ops.context().fedWholeNumbers().forEach((name, p) -> fixed.put(p, TInt64.scalarOf(settings.integer(name))));
			if (ops.context().referencePlaceholder() != null) fixed.put(ops.context().referencePlaceholder(), reference);
		}

		/** The part indices first .. first + count - 1 and their values. */
		FedTensors chunk(int first, int count, Map<String, float[]> values) {
			FedTensors c = new FedTensors();
			if (ops.context().fedPartIndices() != null) {
				int[] indices = new int[count];
				for (int i = 0; i < count; i++) indices[i] = first + i;
				c.put(ops.context().fedPartIndices(), TInt32.vectorOf(indices));
			}
			ops.context().fedPartValues().forEach((name, p) -> c.put(p, TFloat32.vectorOf(Arrays.copyOfRange(values.get(
				name), first, first + count))));
			return c;
		}

		void apply(org.tensorflow.Session.Runner runner) {
			fixed.forEach(runner::feed);
		}

		@Override
		public void close() {
			fixed.forEach((p, t) -> {
				if (p != ops.context().referencePlaceholder()) t.close();
			});
		}
	}

	/** Tensors fed in place of tensors of the graph for some runs, owned here. */
	private static final class FedTensors implements AutoCloseable {
		private final Map<Operand<?>, org.tensorflow.Tensor> tensors = new LinkedHashMap<>();

		FedTensors put(Operand<?> in, org.tensorflow.Tensor value) {
			tensors.put(in, value);
			return this;
		}

		void apply(org.tensorflow.Session.Runner runner) {
			tensors.forEach(runner::feed);
		}

		@Override
		public void close() {
			tensors.values().forEach(org.tensorflow.Tensor::close);
		}
	}

	/** Numbers per image of one tensor [N, tail...], for all images of a call. */
	private record Known(long[] tail, float[] values) {

		void read(TFloat32 v, int start, int size) {
			v.asRawTensor().data().asFloats().read(values, start * size, (int) v.size());
		}

		TFloat32 slice(int start, int m) {
			long per = Shape.of(tail).size();
			return TFloat32.tensorOf(Shape.of(m).append(Shape.of(tail)), DataBuffers.of(values, true, false).slice(start * per,
				m * per));
		}
	}

	/** The results of every image: predictions from the first pass or the only run, maps from the last chunks. */
	private static final class Collector {

		private final int n, classes;
		private final List<String> names;
		private final int[] predicted, targets;
		private final float[] targetScores;
		private final float[][] probabilities;
		private final Map<String, float[]> diagnostics = new LinkedHashMap<>();
		private final Map<Operand<TFloat32>, Known> known = new LinkedHashMap<>();
		private float[] maps;
		private int mapHeight, mapWidth, channels, mapSize;

		Collector(int n, int classes, java.util.Set<String> names) {
			this.n = n;
			this.classes = classes;
			this.names = List.copyOf(names);
			this.predicted = new int[n];
			this.targets = new int[n];
			this.targetScores = new float[n];
			this.probabilities = new float[n][];
			this.names.forEach(name -> diagnostics.put(name, new float[n]));
		}

		/** The maps and reports of images start .. start + m - 1. */
		void addMaps(int start, int m, TFloat32 map, List<TFloat32> reports) {
			// maps may come at another resolution than the input (Grad-CAM at its layer's): read their shape
			if (maps == null) {
				mapHeight = (int) map.shape().get(1);
				mapWidth = (int) map.shape().get(2);
				channels = (int) map.shape().get(3);
				mapSize = mapHeight * mapWidth * channels;
				maps = new float[n * mapSize];
			}
			map.asRawTensor().data().asFloats().read(maps, start * mapSize, m * mapSize);
			for (int d = 0; d < names.size(); d++) reports.get(d).asRawTensor().data().asFloats().read(diagnostics.get(
				names.get(d)), start, m);
		}

		/**
		 * Prediction, target, its score and the probabilities of images start .. start + m - 1: r's fetches
		 * from {@code at} on, in {@link #fetchPredictions}' order.
		 */
		void addPredictions(int start, int m, Result r, int at) {
			try (TInt32 p = (TInt32) r.get(at); TInt32 t = (TInt32) r.get(at + 1); TFloat32 score = (TFloat32) r.get(at + 2);
				TFloat32 probs = (TFloat32) r.get(at + 3))
			{
				p.asRawTensor().data().asInts().read(predicted, start, m);
				t.asRawTensor().data().asInts().read(targets, start, m);
				score.asRawTensor().data().asFloats().read(targetScores, start, m);
				float[] all = new float[m * classes];
				probs.asRawTensor().data().asFloats().read(all);
				for (int i = 0; i < m; i++) probabilities[start + i] = Arrays.copyOfRange(all, i * classes, (i + 1) * classes);
			}
		}

		/**
		 * The values marked {@link AttributionContext#oncePerImage} of images start .. start + m - 1: r's
		 * fetches from {@code at} on.
		 */
		void addKnown(AttributionContext c, int start, int m, Result r, int at) {
			for (int i = 0; i < c.oncePerImageValues().size(); i++) try (TFloat32 v = (TFloat32) r.get(at + i)) {
				long[] shape = v.shape().asArray();
				if (shape.length == 0 || shape[0] != m) throw new IllegalStateException("A value marked once per image " +
					"has shape " + v.shape() + ", not a row for each of " + m + " images.");
				int size = (int) (v.size() / m);
				known.computeIfAbsent(c.oncePerImageValues().get(i), k -> new Known(Arrays.copyOfRange(shape, 1,
					shape.length), new float[n * size])).read(v, start, size);
			}
		}

		/**
		 * What the first pass found for images start .. start + m - 1, fed to their runs of parts in place of
		 * the tensors that computed it: the target, its score, the method's numbers per image.
		 */
		FedTensors known(AttributionContext c, int start, int m) {
			FedTensors fed = new FedTensors().put(c.target(), TInt32.vectorOf(Arrays.copyOfRange(targets, start, start + m)))
				.put(c.targetScore(), TFloat32.vectorOf(Arrays.copyOfRange(targetScores, start, start + m)));
			known.forEach((tensor, k) -> fed.put(tensor, k.slice(start, m)));
			return fed;
		}

		Explanation explanation(String method) {
			return new Explanation(method, maps, n, mapHeight, mapWidth, channels, predicted, targets, targetScores,
				probabilities, diagnostics);
		}
	}

	/** The smallest run (one image; one part of it, or the first pass) did not fit in memory. */
	private static final class OutOfMemory extends RuntimeException {
		private static final long serialVersionUID = 1L;
		private final String smallest;
		private final int evaluations;

		OutOfMemory(TFResourceExhaustedException cause, String smallest, int evaluations) {
			super(cause);
			this.smallest = smallest;
			this.evaluations = evaluations;
		}

		ExplainException tooBig() {
			String run = evaluations == 1 ? "a single network evaluation" : "the smallest run (" + smallest + ": " +
				evaluations + " network evaluations)";
			return new ExplainException("TensorFlow ran out of memory on " + run + " (" + getCause().getMessage().lines()
				.findFirst().orElse("") + ").", "Use a smaller model input, or run on a machine with more memory.");
		}
	}

	/** Receives (work done, work in all): images, times their parts for methods run in parts. */
	@FunctionalInterface
	public interface Progress {
		void update(int done, int total);
	}

	/** Thrown when the user cancels between two chunks; nothing partial is returned. */
	public static final class CancellationException extends RuntimeException {
		private static final long serialVersionUID = 1L;

		public CancellationException() {
			super("Cancelled.");
		}
	}
}
