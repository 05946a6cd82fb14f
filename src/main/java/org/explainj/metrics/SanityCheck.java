package org.explainj.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.explainj.ExplainException;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerWeights;
import org.explainj.model.ScoreKind;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The model-randomisation sanity check (Adebayo et al. 2018, docs/METHODS.md 6.1): every method explains the
 * images once with the trained weights and again with the weights of linear layers replaced by a seeded
 * random permutation of their own values, cascading from the logits down (the top 1, 2, ... layers) and
 * each layer alone; a third comparison explains a random other class instead of the predicted one. Each
 * map is compared with the original (Spearman, SSIM and top-10% overlap of |R|, {@link MapSimilarity}),
 * for the same class the trained model explained.
 * <p>
 * The random weights are fed into the model's own graph in place of the kernels and biases (found by
 * {@link LayerWeights}), so the model is never changed or copied; a permutation keeps each layer's
 * distribution of values, so only what training arranged is destroyed, not the scale of the activations.
 */
public final class SanityCheck {

	/** A method whose maps keep a Spearman correlation this high after the whole cascade ignores the model. */
	public static final double MODEL_INDEPENDENT = 0.5;

	public static final String CASCADING = "cascading", INDEPENDENT = "independent", RANDOM_CLASS = "random-class";

	/** The mean over images of one comparison with the original maps. */
	public record Row(String method, String layer, String mode, double spearman, double ssim, double top10) {}

	/**
	 * One method's rows (cascade from the top layer down, then each layer alone, then the random class), its
	 * maps of the first image (the original, then one per cascade step) and whether it ignores the model.
	 */
	public record MethodResult(String method, List<Row> rows, float[] original, List<float[]> cascadeMaps,
		boolean modelIndependent)
	{
		public List<Row> rows(String mode) {
			return rows.stream().filter(r -> r.mode().equals(mode)).toList();
		}
	}

	/** The layers from the logits down and every method's result; maps are width x height. */
	public record Report(List<String> layers, List<MethodResult> methods, int width, int height) {}

	/** One map per image, each width x height. */
	private record Maps(float[] values, int n, int width, int height) {

		static Maps of(Explanation e) {
			return new Maps(e.maps(), e.n(), e.width(), e.height());
		}

		float[] map(int i) {
			return Arrays.copyOfRange(values, i * width * height, (i + 1) * width * height);
		}
	}

	private SanityCheck() {}

	public static Report run(ClassifierModel model, InputBatch images, List<AttributionMethod> methods, long seed,
		int batchSize)
	{
		List<LayerWeights.Linear> layers = new ArrayList<>(LayerWeights.of(model));
		java.util.Collections.reverse(layers); // from the logits down
		Map<Output<TFloat32>, TFloat32> random = permuted(model, layers, seed);
		try {
			checkFeedsReachTheOutput(model, images, random);
			List<MethodResult> results = new ArrayList<>();
			int width = 0, height = 0;
			for (AttributionMethod method : methods) {
				Explanation trained = new Explainer(model).explain(method, MethodSettings.of(method, Map.of()), images, null,
					Target.TOP, ScoreKind.LOGIT, method.defaultReduction(), batchSize, (d, t) -> {});
				if (trained.channels() != 1) throw new ExplainException(method.name() + " gives maps of " + trained.channels() +
					" channels; the sanity check compares one map per image.", "Use a method with a channel reduction.");
				Maps original = Maps.of(trained);
				width = original.width();
				height = original.height();
				int[] targets = trained.targets();
				List<Row> rows = new ArrayList<>();
				List<float[]> cascadeMaps = new ArrayList<>();
				Map<Operand<?>, TFloat32> feeds = new LinkedHashMap<>();
				for (LayerWeights.Linear layer : layers) {
					layer.tensors().forEach(t -> feeds.put(t, random.get(t)));
					Maps e = explain(model, feeds, method, images, targets, batchSize);
					rows.add(compare(method, layer.name(), CASCADING, original, e));
					cascadeMaps.add(e.map(0));
				}
				for (LayerWeights.Linear layer : layers) {
					Map<Operand<?>, TFloat32> alone = new LinkedHashMap<>();
					layer.tensors().forEach(t -> alone.put(t, random.get(t)));
					rows.add(compare(method, layer.name(), INDEPENDENT, original, explain(model, alone, method, images, targets,
						batchSize)));
				}
				if (model.numClasses() > 1) {
					rows.add(compare(method, "-", RANDOM_CLASS, original, explain(model, Map.of(), method, images, otherClasses(
						trained.predicted(), model.numClasses(), seed), batchSize)));
				}
				double last = rows.get(layers.size() - 1).spearman();
				results.add(new MethodResult(method.name(), rows, original.map(0), cascadeMaps, last >= MODEL_INDEPENDENT));
			}
			return new Report(layers.stream().map(LayerWeights.Linear::name).toList(), results, width, height);
		}
		finally {
			random.values().forEach(Tensor::close);
		}
	}

	/** A model whose logits ignore the fed weights would make every map look model-independent: refuse it. */
	private static void checkFeedsReachTheOutput(ClassifierModel model, InputBatch images,
		Map<Output<TFloat32>, TFloat32> random)
	{
		float[][] trained = logits(model, images, Map.of()), randomised = logits(model, images, random);
		for (int i = 0; i < trained.length; i++) if (!Arrays.equals(trained[i], randomised[i])) return;
		throw new ExplainException("Randomising the weights of " + model.path().getFileName() + " did not change its " +
			"output, so the sanity check cannot tell anything apart on this model.", "Use a model whose convolutions and " +
				"dense layers read their weights as constants or variables.");
	}

	/** The logits of the images with the given weights fed (none: the trained model), [n][classes]. */
	public static float[][] logits(ClassifierModel model, InputBatch images, Map<? extends Operand<?>, ? extends Tensor> feeds) {
		try (TFloat32 x = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(images.n(), images.height(), images.width(),
			images.channels()), org.tensorflow.ndarray.buffer.DataBuffers.of(images.data(), true, false)))
		{
			Session.Runner runner = model.session().runner().feed(model.input(), x);
			feeds.forEach(runner::feed);
			try (Result r = runner.fetch(model.logits()).run()) {
				float[] flat = new float[images.n() * model.numClasses()];
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(flat);
				float[][] out = new float[images.n()][];
				for (int i = 0; i < out.length; i++) out[i] = Arrays.copyOfRange(flat, i * model.numClasses(), (i + 1) * model
					.numClasses());
				return out;
			}
		}
	}

	/**
	 * Every kernel and bias of the layers with its values permuted at random (seeded per tensor), computed by
	 * TensorFlow ops from the trained values; the caller closes the tensors.
	 */
	public static Map<Output<TFloat32>, TFloat32> permuted(ClassifierModel model, List<LayerWeights.Linear> layers,
		long seed)
	{
		List<Output<TFloat32>> tensors = layers.stream().flatMap(l -> l.tensors().stream()).toList();
		List<Operand<TFloat32>> ops = model.ops(List.of("sanity permutation", tensors, seed), tf -> {
			List<Operand<TFloat32>> out = new ArrayList<>();
			for (int i = 0; i < tensors.size(); i++) out.add(permutation(tf, tensors.get(i), seed, i));
			return out;
		});
		Session.Runner runner = model.session().runner();
		ops.forEach(runner::fetch);
		Map<Output<TFloat32>, TFloat32> values = new HashMap<>();
		try (Result r = runner.run()) {
			// the Result closes its tensors: keep copies
			for (int i = 0; i < tensors.size(); i++) values.put(tensors.get(i), copy((TFloat32) r.get(i)));
		}
		return values;
	}

	private static Operand<TFloat32> permutation(Ops tf, Output<TFloat32> w, long seed, int index) {
		Operand<TFloat32> flat = tf.reshape(w, tf.constant(new int[] { -1 }));
		Operand<TInt32> size = tf.size(flat, TInt32.class);
		Operand<TFloat32> keys = tf.random.statelessRandomUniform(tf.expandDims(size, tf.constant(0)), tf.constant(
			new long[] { seed, index }), TFloat32.class);
		Operand<TInt32> order = tf.nn.topK(keys, size, new org.tensorflow.op.nn.TopK.Options[0]).indices();
		return tf.reshape(tf.gather(flat, order, tf.constant(0)), tf.shape(w));
	}

	private static TFloat32 copy(TFloat32 t) {
		TFloat32 c = TFloat32.tensorOf(t.shape());
		t.copyTo(c);
		return c;
	}

	/** For each image a class other than the predicted one, seeded. */
	static int[] otherClasses(int[] predicted, int classes, long seed) {
		Random r = new Random(seed);
		int[] out = new int[predicted.length];
		for (int i = 0; i < out.length; i++) out[i] = (predicted[i] + 1 + r.nextInt(classes - 1)) % classes;
		return out;
	}

	/** Maps of the given classes (one per image) with the given weights fed: one explainer run per class. */
	private static Maps explain(ClassifierModel model, Map<Operand<?>, TFloat32> feeds, AttributionMethod method,
		InputBatch images, int[] targets, int batchSize)
	{
		Explainer explainer = new Explainer(model, feeds);
		float[] maps = null;
		Explanation any = null;
		for (int cls : Arrays.stream(targets).distinct().toArray()) {
			int[] members = java.util.stream.IntStream.range(0, targets.length).filter(i -> targets[i] == cls).toArray();
			float[] data = new float[members.length * images.imageSize()];
			for (int j = 0; j < members.length; j++) System.arraycopy(images.data(), members[j] * images.imageSize(), data, j *
				images.imageSize(), images.imageSize());
			Explanation e = explainer.explain(method, MethodSettings.of(method, Map.of()), new InputBatch(data,
				members.length, images.height(), images.width(), images.channels()), null, new Target("" + cls),
				ScoreKind.LOGIT, method.defaultReduction(), batchSize, (d, t) -> {});
			if (maps == null) maps = new float[images.n() * e.mapSize()];
			for (int j = 0; j < members.length; j++) System.arraycopy(e.maps(), j * e.mapSize(), maps, members[j] * e
				.mapSize(), e.mapSize());
			any = e;
		}
		if (any == null) throw new ExplainException("No images to check.", "Give at least one image.");
		return new Maps(maps, images.n(), any.width(), any.height());
	}

	private static Row compare(AttributionMethod method, String layer, String mode, Maps original, Maps other) {
		double spearman = 0, ssim = 0, top = 0;
		int n = original.n();
		for (int i = 0; i < n; i++) {
			float[] a = original.map(i), b = other.map(i);
			spearman += MapSimilarity.spearman(a, b) / n;
			ssim += MapSimilarity.ssim(a, b, original.width(), original.height()) / n;
			top += MapSimilarity.topOverlap(a, b, 0.1) / n;
		}
		return new Row(method.name(), layer, mode, spearman, ssim, top);
	}
}
