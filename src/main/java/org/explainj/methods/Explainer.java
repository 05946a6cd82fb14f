package org.explainj.methods;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.explainj.ExplainException;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ScoreKind;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a method on a batch: builds its ops once per (model, method, score, reduction) and feeds the
 * images in chunks of at most {@code batchSize} network evaluations (a method that evaluates the network
 * k times per image gets batchSize / k images, at least one), which bounds memory.
 */
public final class Explainer {

	private record Key(MethodSettings settings, ScoreKind score, Reduction reduction, Target.Unit unit) {}

	private record Ops(AttributionContext context, Operand<TFloat32> map, Operand<TFloat32> probabilities) {}

	private final ClassifierModel model;
	private final Map<? extends Operand<?>, ? extends org.tensorflow.Tensor> feeds;

	public Explainer(ClassifierModel model) {
		this(model, Map.of());
	}

	/**
	 * An explainer that feeds {@code feeds} with every run in place of those tensors of the graph (e.g.
	 * randomised weights for the sanity check); the caller owns and closes the tensors.
	 */
	public Explainer(ClassifierModel model, Map<? extends Operand<?>, ? extends org.tensorflow.Tensor> feeds) {
		this.model = model;
		this.feeds = Map.copyOf(feeds);
	}

	public Explanation explain(AttributionMethod method, InputBatch batch, Target target, ScoreKind score,
		Reduction reduction, int batchSize)
	{
		return explain(method, MethodSettings.defaults(method), batch, null, target, score, reduction, batchSize,
			(done, total) -> {});
	}

	/**
	 * Progress is reported after each chunk; an interrupted thread stops between chunks. {@code reference}
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
		Ops ops = model.ops(new Key(settings, score, reduction, unit), tf -> {
			AttributionContext context = new AttributionContext(tf, model, score, settings, unit);
			return new Ops(context, reduction.apply(tf, method.build(context)), model.scores(tf, ScoreKind.PROBABILITY));
		});
		int targetIndex = target.index(model.labels(), model.numClasses());
		// maps may come at another resolution than the input (Grad-CAM at its layer's): read their shape
		float[] maps = null;
		int mapHeight = 0, mapWidth = 0, outChannels = 0, mapSize = 0;
		int[] predicted = new int[batch.n()];
		int[] targets = new int[batch.n()];
		float[] targetScores = new float[batch.n()];
		float[][] probabilities = new float[batch.n()][];
		int k = model.numClasses();
		if (ops.context().referencePlaceholder() != null && reference == null) throw new ExplainException(method.name() +
			" needs a reference image here.", "Give an image file as its baseline.");
		java.util.List<String> names = java.util.List.copyOf(ops.context().diagnostics().keySet());
		Map<String, float[]> diagnostics = new LinkedHashMap<>();
		names.forEach(name -> diagnostics.put(name, new float[batch.n()]));
		// batch size counts network evaluations: a method that runs k per image gets batchSize / k images a run
		int images = Math.max(1, batchSize / method.evaluationsPerImage(settings, batch.height(), batch.width()));
		for (int start = 0; start < batch.n(); start += images) {
			if (Thread.currentThread().isInterrupted()) throw new CancellationException();
			int m = Math.min(images, batch.n() - start);
			int[] requested = new int[m];
			Arrays.fill(requested, targetIndex);
			try (TFloat32 x = TFloat32.tensorOf(Shape.of(m, batch.height(), batch.width(), batch.channels()),
					DataBuffers.of(batch.data(), true, false).slice((long) start * batch.imageSize(), (long) m * batch.imageSize()));
				TInt32 t = TInt32.vectorOf(requested);
				TFloat32 ref = reference == null ? null : TFloat32.tensorOf(Shape.of(1, reference.height(), reference
					.width(), reference.channels()), DataBuffers.of(reference.data(), true, false));
				Result r = run(ops, x, t, ref, names))
			{
				TFloat32 map = (TFloat32) r.get(0);
				if (maps == null) {
					mapHeight = (int) map.shape().get(1);
					mapWidth = (int) map.shape().get(2);
					outChannels = (int) map.shape().get(3);
					mapSize = mapHeight * mapWidth * outChannels;
					maps = new float[batch.n() * mapSize];
				}
				map.asRawTensor().data().asFloats().read(maps, start * mapSize, m * mapSize);
				((TInt32) r.get(1)).asRawTensor().data().asInts().read(predicted, start, m);
				((TInt32) r.get(2)).asRawTensor().data().asInts().read(targets, start, m);
				((TFloat32) r.get(3)).asRawTensor().data().asFloats().read(targetScores, start, m);
				float[] p = new float[m * k];
				((TFloat32) r.get(4)).asRawTensor().data().asFloats().read(p);
				for (int i = 0; i < m; i++) probabilities[start + i] = Arrays.copyOfRange(p, i * k, (i + 1) * k);
				for (int d = 0; d < names.size(); d++) {
					((TFloat32) r.get(5 + d)).asRawTensor().data().asFloats().read(diagnostics.get(names.get(d)), start, m);
				}
			}
			progress.update(start + m, batch.n());
		}
		return new Explanation(method.name(), maps, batch.n(), mapHeight, mapWidth, outChannels, predicted, targets,
			targetScores, probabilities, diagnostics);
	}

	private Result run(Ops ops, TFloat32 x, TInt32 targets, TFloat32 reference, java.util.List<String> diagnostics) {
		var runner = model.session().runner().feed(model.input(), x).feed(ops.context().requestedTarget(), targets);
		if (ops.context().referencePlaceholder() != null) runner.feed(ops.context().referencePlaceholder(), reference);
		feeds.forEach(runner::feed);
		runner.fetch(ops.map()).fetch(ops.context().predicted()).fetch(ops.context().target()).fetch(ops.context()
			.targetScore()).fetch(ops.probabilities());
		diagnostics.forEach(name -> runner.fetch(ops.context().diagnostics().get(name)));
		return runner.run();
	}

	/** Receives (images done, images in all). */
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
