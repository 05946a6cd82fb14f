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
 * and a method that sums over many parts (path points, noisy copies) gets its parts in chunks, added up
 * in the graph (the running sum is fed back), so that memory does not grow with steps or samples. A run
 * that TensorFlow cannot allocate (ResourceExhausted) is tried again with half the chunk.
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
		// an image's evaluations: perPart for each part plus a few every run of it makes (the image itself, a
		// baseline): chunks fill the batch size with parts instead of rounding those few up into every part
		int perPart = Math.max(1, perImage / parts), shared = Math.max(0, perImage - parts * perPart);
		// batch size counts network evaluations: whole images while they fit, else one image's parts in chunks
		int images = Math.max(1, batchSize / perImage);
		int partsPerRun = images > 1 ? parts : partsFitting(batchSize, parts, perPart, shared);
		Collector out = new Collector(batch.n(), model.numClasses(), ops.context().diagnostics().keySet());
		try (TFloat32 ref = reference == null ? null : TFloat32.tensorOf(Shape.of(1, reference.height(), reference
			.width(), reference.channels()), DataBuffers.of(reference.data(), true, false));
			Feeds feeds = new Feeds(ops, settings, ref))
		{
			// the status line shows from the first batch on, not only after it
			progress.update(0, batch.n() * parts);
			for (int start = 0; start < batch.n();) {
				if (Thread.currentThread().isInterrupted()) throw new CancellationException();
				int m = Math.min(images, batch.n() - start);
				try (TFloat32 x = TFloat32.tensorOf(Shape.of(m, batch.height(), batch.width(), batch.channels()),
						DataBuffers.of(batch.data(), true, false).slice((long) start * batch.imageSize(), (long) m * batch
							.imageSize()));
					TInt32 t = TInt32.vectorOf(filled(m, targetIndex)))
				{
					int done = start;
					partsPerRun = runParts(ops, feeds, x, t, m, parts, partsPerRun, perPart, shared, partValues, out, start,
						partsDone -> progress.update(done * parts + m * partsDone, batch.n() * parts));
					start += m;
				}
				catch (OutOfMemory e) {
					if (m == 1) throw e.tooBig();
					images = Math.max(1, m / 2);
					if (images == 1) partsPerRun = partsFitting(batchSize, parts, perPart, shared);
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

	/** How many parts of one image a run of at most {@code batchSize} evaluations holds (at least one). */
	private static int partsFitting(int batchSize, int parts, int perPart, int shared) {
		return Math.max(1, Math.min(parts, (batchSize - shared) / perPart));
	}

	/** The sum of the earlier chunks' shares, fed back; zeros (of the share's shape) before the first. */
	private static Operand<TFloat32> runningSum(org.tensorflow.op.Ops tf, Operand<TFloat32> share) {
		return tf.placeholderWithDefault(tf.zerosLike(share), Shape.unknown());
	}

	/**
	 * Runs the parts of m images in chunks, feeding each chunk's running sums into the next; returns the
	 * chunk size that worked (halved after each out-of-memory run).
	 */
	private int runParts(Ops ops, Feeds feeds, TFloat32 x, TInt32 targets, int m, int parts, int partsPerRun,
		int perPart, int shared, Map<String, float[]> partValues, Collector out, int start,
		java.util.function.IntConsumer partsDone)
	{
		List<TFloat32> sums = null;
		try {
			for (int first = 0; first < parts;) {
				if (Thread.currentThread().isInterrupted()) throw new CancellationException();
				int count = Math.min(partsPerRun, parts - first);
				boolean last = first + count == parts;
				List<TFloat32> next;
				try (Feeds.Chunk chunk = feeds.chunk(first, count, partValues)) {
					if ((long) m * (count * perPart + shared) > evaluationLimit) throw new TFResourceExhaustedException(
						"OOM when allocating tensor (test limit " + evaluationLimit + " evaluations)");
					next = run(ops, feeds, chunk, x, targets, sums, last, out, start, m);
				}
				catch (TFResourceExhaustedException e) {
					if (count == 1) throw new OutOfMemory(e, perPart + shared);
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
	 * chunk also collects the results.
	 */
	private List<TFloat32> run(Ops ops, Feeds feeds, Feeds.Chunk chunk, TFloat32 x, TInt32 targets, List<TFloat32> sums,
		boolean last, Collector out, int start, int m)
	{
		var runner = model.session().runner().feed(model.input(), x).feed(ops.context().requestedTarget(), targets);
		feeds.apply(runner, chunk);
		extraFeeds.forEach(runner::feed);
		if (sums != null) {
			runner.feed(ops.previous(), sums.get(0));
			for (int d = 0; d < ops.previousReports().size(); d++) runner.feed(ops.previousReports().get(d), sums.get(d + 1));
		}
		// the last run's map is finished in the graph: its running sum is not fetched (a method without parts
		// has only that run, and its share may be a fed tensor, e.g. the input, which a run cannot fetch too)
		if (!last) runner.fetch(ops.sum());
		ops.reportSums().forEach(runner::fetch);
		if (last) runner.fetch(ops.map()).fetch(ops.context().predicted()).fetch(ops.context().target()).fetch(ops
			.context().targetScore()).fetch(ops.probabilities());
		Result r = trace == null ? runner.run() : runner.setOptions(TRACED).runAndFetchMetadata();
		if (trace != null) trace.accept(r.getMetadata().orElseThrow().getStepStats());
		List<TFloat32> next = new ArrayList<>();
		int sumsFetched = ops.reportSums().size() + (last ? 0 : 1);
		for (int i = 0; i < sumsFetched; i++) next.add((TFloat32) r.get(i));
		if (last) {
			try (TFloat32 map = (TFloat32) r.get(sumsFetched); TInt32 predicted = (TInt32) r.get(sumsFetched + 1);
				TInt32 target = (TInt32) r.get(sumsFetched + 2); TFloat32 score = (TFloat32) r.get(sumsFetched + 3);
				TFloat32 probabilities = (TFloat32) r.get(sumsFetched + 4))
			{
				out.add(start, m, map, predicted, target, score, probabilities, next);
			}
		}
		return next;
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
		Chunk chunk(int first, int count, Map<String, float[]> values) {
			Chunk c = new Chunk();
			if (ops.context().fedPartIndices() != null) {
				int[] indices = new int[count];
				for (int i = 0; i < count; i++) indices[i] = first + i;
				c.tensors.put(ops.context().fedPartIndices(), TInt32.vectorOf(indices));
			}
			ops.context().fedPartValues().forEach((name, p) -> c.tensors.put(p, TFloat32.vectorOf(Arrays.copyOfRange(
				values.get(name), first, first + count))));
			return c;
		}

		void apply(org.tensorflow.Session.Runner runner, Chunk chunk) {
			fixed.forEach(runner::feed);
			chunk.tensors.forEach(runner::feed);
		}

		@Override
		public void close() {
			fixed.forEach((p, t) -> {
				if (p != ops.context().referencePlaceholder()) t.close();
			});
		}

		static final class Chunk implements AutoCloseable {
			private final Map<Placeholder<?>, org.tensorflow.Tensor> tensors = new LinkedHashMap<>();

			@Override
			public void close() {
				tensors.values().forEach(org.tensorflow.Tensor::close);
			}
		}
	}

	/** The results of every image, gathered from the last chunk of each run. */
	private static final class Collector {

		private final int n, classes;
		private final List<String> names;
		private final int[] predicted, targets;
		private final float[] targetScores;
		private final float[][] probabilities;
		private final Map<String, float[]> diagnostics = new LinkedHashMap<>();
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

		void add(int start, int m, TFloat32 map, TInt32 predicted, TInt32 target, TFloat32 score, TFloat32 probs,
			List<TFloat32> reports)
		{
			// maps may come at another resolution than the input (Grad-CAM at its layer's): read their shape
			if (maps == null) {
				mapHeight = (int) map.shape().get(1);
				mapWidth = (int) map.shape().get(2);
				channels = (int) map.shape().get(3);
				mapSize = mapHeight * mapWidth * channels;
				maps = new float[n * mapSize];
			}
			map.asRawTensor().data().asFloats().read(maps, start * mapSize, m * mapSize);
			predicted.asRawTensor().data().asInts().read(this.predicted, start, m);
			target.asRawTensor().data().asInts().read(targets, start, m);
			score.asRawTensor().data().asFloats().read(targetScores, start, m);
			float[] p = new float[m * classes];
			probs.asRawTensor().data().asFloats().read(p);
			for (int i = 0; i < m; i++) probabilities[start + i] = Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
			for (int d = 0; d < names.size(); d++) reports.get(d).asRawTensor().data().asFloats().read(diagnostics.get(
				names.get(d)), start, m);
		}

		Explanation explanation(String method) {
			return new Explanation(method, maps, n, mapHeight, mapWidth, channels, predicted, targets, targetScores,
				probabilities, diagnostics);
		}
	}

	/** A run of one image and one part did not fit in memory. */
	private static final class OutOfMemory extends RuntimeException {
		private static final long serialVersionUID = 1L;
		private final int evaluations;

		OutOfMemory(TFResourceExhaustedException cause, int evaluations) {
			super(cause);
			this.evaluations = evaluations;
		}

		ExplainException tooBig() {
			String run = evaluations == 1 ? "a single network evaluation" : "the smallest run (one image, one part: " +
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
