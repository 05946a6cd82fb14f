package org.explainj.maximize;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.explainj.ExplainException;
import org.explainj.methods.Explainer;
import org.explainj.model.ClassifierModel;
import org.explainj.model.GeneratorModel;
import org.explainj.model.LayerIndex;
import org.explainj.model.ModelAudit;
import org.explainj.model.NetworkCopy;
import org.explainj.model.ScoreKind;
import org.explainj.model.TensorNames;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Activation maximisation (docs/METHODS.md 1.1, 1.3): gradient ascent with Adam on the input x (or on the code
 * z of a generator g) to maximise, per row, log p(c|x) - lambda ||x - xbar||^2 - tv TV(x) for a class c,
 * or the mean of one channel of a layer's output for a unit. Every target is one row of one batch, so
 * all are optimised at once.
 * <p>
 * One graph per (model, unit layers, generator) is built beside the network: the network is applied to
 * the (jittered) image through a {@link NetworkCopy}; the gradient, Adam's moments and the clipped update
 * are ops. The state (x or z, and Adam's m and v) is fed and fetched as tensors, one session run per
 * step: Java holds no pixel loop, and concurrent runs on the same model do not share state. With a
 * generator, its frozen graph (variables as constants) is imported into the classifier's graph, its code
 * placeholder is the optimised tensor and its output feeds the network copy.
 */
public final class ActivationMaximizer {

	private static final float BETA1 = 0.9f, BETA2 = 0.999f, EPSILON = 1e-8f;
	/** Start point's noise: this fraction of the input range (input space); N(0, 1) codes in code space. */
	private static final float INPUT_NOISE = 0.02f;

	private record Key(List<String> unitLayers, String generator) {}

	/** The ops of one maximisation graph. */
	private record Ops_(Operand<TFloat32> state, boolean codeSpace, Placeholder<TFloat32> m, Placeholder<TFloat32> v,
		Placeholder<TFloat32> bar, Placeholder<TFloat32> classMask, List<Placeholder<TFloat32>> unitMasks,
		Placeholder<TFloat32> lambda, Placeholder<TFloat32> tv, Placeholder<TFloat32> lrT, Placeholder<TFloat32> low,
		Placeholder<TFloat32> high, Placeholder<TInt32> shift, Operand<TFloat32> image, Operand<TFloat32> planes,
		Operand<TFloat32> score, Operand<TFloat32> objective, Operand<TFloat32> probabilities, Operand<TFloat32> logits,
		Operand<TFloat32> newState, Operand<TFloat32> newM, Operand<TFloat32> newV, Operand<TFloat32> blurred,
		Placeholder<TInt32> initShape, Placeholder<TInt64> initSeed, Placeholder<TFloat32> initCenter,
		Placeholder<TFloat32> initScale, Operand<TFloat32> init, Operand<TFloat32> zeros) {}

	private static final Map<String, GeneratorModel> GENERATORS = new LinkedHashMap<>(4, 0.75f, true);

	private ActivationMaximizer() {}

	public static Prototypes maximize(ClassifierModel model, String targets, MaximizeOptions options) {
		return maximize(model, targets, options, (done, total) -> {});
	}

	/**
	 * Optimises one prototype per target (comma-separated classes or LAYER:CHANNEL units). Progress is
	 * reported after each step; the callback may throw {@link Explainer.CancellationException} to stop (no
	 * result then), as does an interrupted thread.
	 */
	public static Prototypes maximize(ClassifierModel model, String targets, MaximizeOptions options,
		Explainer.Progress progress)
	{
		options.check();
		int h = model.height(), w = model.width(), c = model.channels();
		if (h <= 0 || w <= 0) throw new ExplainException("The model takes images of any size (input " + model.input()
			.shape() + "); a prototype needs a fixed size.", "Export the model with a fixed input height and width.");
		List<MaximizeTarget> rows = MaximizeTarget.parse(targets, model);
		GeneratorModel generator = options.generator() == null ? null : generator(options.generator(), options.trustGenerator());
		if (generator != null) checkFits(generator.outputShape(), model, generator.path());
		List<String> layerNames = new ArrayList<>();
		for (MaximizeTarget t : rows) if (t.isUnit() && !layerNames.contains(t.layer().name())) layerNames.add(t.layer()
			.name());
		List<LayerIndex.Layer> layers = new ArrayList<>();
		for (String name : layerNames) for (MaximizeTarget t : rows) if (t.isUnit() && t.layer().name().equals(name)) {
			layers.add(t.layer());
			break;
		}
		Key key = new Key(List.copyOf(layerNames), generator == null ? null : generatorKey(options.generator()));
		Ops_ ops = model.ops(key, tf -> build(tf, model, layers, generator));
		int n = rows.size(), k = model.numClasses();
		long[] stateShape = generator == null ? new long[] { n, h, w, c } : new long[] { n, generator.codeSize() };
		long perRow = generator == null ? (long) h * w * c : generator.codeSize();

		float[][] classMask = new float[n][k];
		List<float[][]> unitMasks = new ArrayList<>();
		for (LayerIndex.Layer l : layers) {
			Shape s = l.unitOutput().shape();
			unitMasks.add(new float[n][(int) s.size(s.numDimensions() - 1)]);
		}
		for (int i = 0; i < n; i++) {
			MaximizeTarget t = rows.get(i);
			if (t.isUnit()) unitMasks.get(layerNames.indexOf(t.layer().name()))[i][t.channel()] = 1;
			else classMask[i][t.classIndex()] = 1;
		}
		if (options.reference() != null && options.reference().length != perRow) throw new ExplainException(
			"The reference (xbar) has " + options.reference().length + " values; the " + (generator == null ? "model input"
				: "generator code") + " has " + perRow + ".", generator == null ? "Give an image of the model's size " + w +
					"x" + h + "x" + c + "." : "Give a code of length " + perRow + ".");
		Session session = model.session();
		List<AutoCloseable> fixed = new ArrayList<>();
		// results whose tensors are still fed (state, m, v): closed once the next step has run
		List<Result> held = new ArrayList<>();
		try {
			TFloat32 classes = track(fixed, TFloat32.tensorOf(StdArrays.ndCopyOf(classMask)));
			List<TFloat32> units = new ArrayList<>();
			for (float[][] u : unitMasks) units.add(track(fixed, TFloat32.tensorOf(StdArrays.ndCopyOf(u))));
			TFloat32 bar = track(fixed, options.reference() == null ? TFloat32.scalarOf(0f) : TFloat32.tensorOf(
				referenceShape(stateShape), DataBuffers.of(options.reference(), true, false)));
			TFloat32 lambda = track(fixed, TFloat32.scalarOf(options.lambda()));
			TFloat32 tv = track(fixed, TFloat32.scalarOf(options.tv()));
			TFloat32 low = track(fixed, TFloat32.scalarOf(options.low()));
			TFloat32 high = track(fixed, TFloat32.scalarOf(options.high()));
			TInt32 noShift = track(fixed, TInt32.vectorOf(0, 0));

			int[] shapeInts = new int[stateShape.length];
			for (int i = 0; i < shapeInts.length; i++) shapeInts[i] = (int) stateShape[i];
			Result start;
			try (TInt32 shape = TInt32.vectorOf(shapeInts); TInt64 seed = TInt64.vectorOf(options.seed(), 0x5eedL);
				TFloat32 center = TFloat32.scalarOf(generator == null ? (options.low() + options.high()) / 2 : 0f);
				TFloat32 scale = TFloat32.scalarOf(generator == null ? INPUT_NOISE * (options.high() - options.low()) : 1f))
			{
				start = session.runner().feed(ops.initShape(), shape).feed(ops.initSeed(), seed).feed(ops.initCenter(),
					center).feed(ops.initScale(), scale).fetch(ops.init()).fetch(ops.zeros()).run();
			}
			held.add(start);
			TFloat32 state = (TFloat32) start.get(0), m = (TFloat32) start.get(1), v = m;

			float[] startScores = new float[n], startProbs = new float[n];
			try (Result r = feedCommon(session.runner(), ops, state, noShift, classes, units, bar, lambda, tv).fetch(ops
				.score()).fetch(ops.probabilities()).run())
			{
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(startScores);
				float[] p = new float[n * k];
				((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(p);
				for (int i = 0; i < n; i++) startProbs[i] = probabilityOf(p, i, k, rows.get(i));
			}

			Random jitter = new Random(options.seed() * 31 + 17);
			int steps = options.steps();
			float[] objective = new float[n];
			float[][] curves = new float[n][steps];
			for (int t = 1; t <= steps; t++) {
				if (Thread.currentThread().isInterrupted()) throw new Explainer.CancellationException();
				int dy = 0, dx = 0;
				if (options.jitter() > 0) {
					dy = jitter.nextInt(2 * options.jitter() + 1) - options.jitter();
					dx = jitter.nextInt(2 * options.jitter() + 1) - options.jitter();
				}
				float lrT = (float) (options.learningRate() * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
				Result next;
				try (TInt32 shift = TInt32.vectorOf(dy, dx); TFloat32 lr = TFloat32.scalarOf(lrT)) {
					next = feedCommon(session.runner(), ops, state, shift, classes, units, bar, lambda, tv).feed(ops.m(), m)
						.feed(ops.v(), v).feed(ops.lrT(), lr).feed(ops.low(), low).feed(ops.high(), high).fetch(ops.objective())
						.fetch(ops.newState()).fetch(ops.newM()).fetch(ops.newV()).run();
				}
				held.forEach(Result::close);
				held.clear();
				held.add(next);
				((TFloat32) next.get(0)).asRawTensor().data().asFloats().read(objective);
				for (int i = 0; i < n; i++) curves[i][t - 1] = objective[i];
				state = (TFloat32) next.get(1);
				m = (TFloat32) next.get(2);
				v = (TFloat32) next.get(3);
				if (ops.blurred() != null && options.blurEvery() > 0 && t % options.blurEvery() == 0 && t < steps) {
					// the blurred image replaces x; Adam's moments (held by the step's result) are kept
					Result blurred = session.runner().feed(ops.state(), state).feed(ops.low(), low).feed(ops.high(), high)
						.fetch(ops.blurred()).run();
					held.add(blurred);
					state = (TFloat32) blurred.get(0);
				}
				progress.update(t, steps);
			}

			float[] finalScores = new float[n], finalProbs = new float[n];
			float[][] finalLogits = new float[n][k];
			float[][] images = new float[n][h * w * c], planes = new float[n][h * w * c];
			float[][] codes = generator == null ? null : new float[n][(int) perRow];
			try (Result r = feedCommon(session.runner(), ops, state, noShift, classes, units, bar, lambda, tv).fetch(ops
				.score()).fetch(ops.probabilities()).fetch(ops.logits()).fetch(ops.image()).fetch(ops.planes()).run())
			{
				((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(finalScores);
				float[] p = new float[n * k], l = new float[n * k];
				((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(p);
				((TFloat32) r.get(2)).asRawTensor().data().asFloats().read(l);
				var img = ((TFloat32) r.get(3)).asRawTensor().data().asFloats();
				var pl = ((TFloat32) r.get(4)).asRawTensor().data().asFloats();
				if (img.size() != (long) n * h * w * c) throw new ExplainException("The generator made images of " +
					r.get(3).shape() + " but the classifier takes " + model.input().shape() + ".",
					"Use a generator whose output has the classifier's input size.");
				var codeBuffer = state.asRawTensor().data().asFloats();
				for (int i = 0; i < n; i++) {
					finalProbs[i] = probabilityOf(p, i, k, rows.get(i));
					System.arraycopy(l, i * k, finalLogits[i], 0, k);
					img.slice((long) i * h * w * c, (long) h * w * c).read(images[i]);
					pl.slice((long) i * h * w * c, (long) h * w * c).read(planes[i]);
					if (codes != null) codeBuffer.slice(i * perRow, perRow).read(codes[i]);
				}
			}
			int[] classIndices = rows.stream().mapToInt(MaximizeTarget::classIndex).toArray();
			return new Prototypes(rows.stream().map(MaximizeTarget::text).toList(), h, w, c, images, planes, codes, curves,
				startScores, finalScores, startProbs, finalProbs, finalLogits, classIndices);
		}
		catch (org.tensorflow.exceptions.TensorFlowException e) {
			throw new ExplainException("TensorFlow failed while maximising: " + e.getMessage(), generator == null
				? "Check that the model is an image classifier." :
				"Check that the generator's output fits the classifier's input.", e);
		}
		finally {
			held.forEach(Result::close);
			for (AutoCloseable a : fixed) {
				try {
					a.close();
				}
				catch (Exception e) {
					// closing a tensor does not fail
				}
			}
		}
	}

	private static float probabilityOf(float[] p, int row, int k, MaximizeTarget t) {
		if (!t.isUnit()) return p[row * k + t.classIndex()];
		float best = 0;
		for (int j = 0; j < k; j++) best = Math.max(best, p[row * k + j]);
		return best;
	}

	private static Shape referenceShape(long[] stateShape) {
		long[] s = stateShape.clone();
		s[0] = 1;
		return Shape.of(s);
	}

	private static <T extends AutoCloseable> T track(List<AutoCloseable> list, T t) {
		list.add(t);
		return t;
	}

	private static Session.Runner feedCommon(Session.Runner r, Ops_ ops, TFloat32 state, TInt32 shift, TFloat32 classes,
		List<TFloat32> units, TFloat32 bar, TFloat32 lambda, TFloat32 tv)
	{
		r.feed(ops.state(), state).feed(ops.shift(), shift).feed(ops.classMask(), classes).feed(ops.bar(), bar).feed(ops
			.lambda(), lambda).feed(ops.tv(), tv);
		for (int i = 0; i < units.size(); i++) r.feed(ops.unitMasks().get(i), units.get(i));
		return r;
	}

	private static Ops_ build(Ops tf, ClassifierModel model, List<LayerIndex.Layer> layers, GeneratorModel generator) {
		int h = model.height(), w = model.width(), c = model.channels();
		Operand<TFloat32> state;
		Operand<TFloat32> image;
		if (generator == null) {
			state = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, c)));
			image = tf.identity(state);
		}
		else {
			Graph graph = model.graph();
			String prefix = "explainj_generator";
			for (int i = 1; graph.operation(prefix + "/" + generator.codeNode()) != null; i++) prefix = "explainj_generator_" + i;
			graph.importGraphDef(generator.graphDef(), prefix);
			state = graph.operationOrThrow(prefix + "/" + generator.codeNode()).output(0).expect(TFloat32.class);
			image = TensorNames.output(graph, prefix + "/" + generator.outputTensor()).expect(TFloat32.class);
			checkFits(image.shape(), model, generator.path());
		}
		boolean codeSpace = generator != null;
		Placeholder<TInt32> shift = tf.withName("shift").placeholder(TInt32.class, Placeholder.shape(Shape.of(2)));
		Operand<TFloat32> shifted = tf.roll(image, shift, tf.constant(new int[] { 1, 2 }));
		NetworkCopy copy = NetworkCopy.apply(model, shifted);
		Operand<TFloat32> logits = copy.of(model.logits());
		Placeholder<TFloat32> classMask = tf.withName("class_mask").placeholder(TFloat32.class);
		Operand<TFloat32> score = tf.reduceSum(tf.math.mul(model.scores(tf, ScoreKind.LOG_PROBABILITY, logits), classMask),
			tf.constant(1));
		List<Placeholder<TFloat32>> unitMasks = new ArrayList<>();
		for (LayerIndex.Layer l : layers) {
			Operand<TFloat32> act = copy.of(l.unitOutput());
			if (l.unitOutput().shape().numDimensions() == 4) act = tf.math.mean(act, tf.constant(new int[] { 1, 2 }));
			Placeholder<TFloat32> mask = tf.withName("unit_mask").placeholder(TFloat32.class);
			unitMasks.add(mask);
			score = tf.math.add(score, tf.reduceSum(tf.math.mul(act, mask), tf.constant(1)));
		}
		Placeholder<TFloat32> bar = tf.withName("xbar").placeholder(TFloat32.class);
		Placeholder<TFloat32> lambda = tf.withName("lambda").placeholder(TFloat32.class);
		Placeholder<TFloat32> tv = tf.withName("tv").placeholder(TFloat32.class);
		Operand<TFloat32> penalty = tf.reduceSum(tf.math.square(tf.math.sub(state, bar)), tf.constant(codeSpace
			? new int[] { 1 } : new int[] { 1, 2, 3 }));
		Operand<TFloat32> dy = tf.math.sub(tf.stridedSlice(image, Indices.all(), Indices.slice(1, h)), tf.stridedSlice(image,
			Indices.all(), Indices.slice(0, h - 1)));
		Operand<TFloat32> dx = tf.math.sub(tf.stridedSlice(image, Indices.all(), Indices.all(), Indices.slice(1, w)), tf
			.stridedSlice(image, Indices.all(), Indices.all(), Indices.slice(0, w - 1)));
		int[] imageAxes = { 1, 2, 3 };
		Operand<TFloat32> totalVariation = tf.math.add(tf.reduceSum(tf.math.abs(dy), tf.constant(imageAxes)), tf.reduceSum(
			tf.math.abs(dx), tf.constant(imageAxes)));
		Operand<TFloat32> objective = tf.withName("objective").math.sub(tf.math.sub(score, tf.math.mul(lambda, penalty)), tf
			.math.mul(tv, totalVariation));
		Output<?> loss = tf.math.neg(tf.reduceSum(objective, tf.constant(0))).asOutput();
		Operand<TFloat32> g = model.graph().addGradients(loss, new Output<?>[] { state.asOutput() })[0].expect(
			TFloat32.class);

		Placeholder<TFloat32> m = tf.withName("adam_m").placeholder(TFloat32.class);
		Placeholder<TFloat32> v = tf.withName("adam_v").placeholder(TFloat32.class);
		Placeholder<TFloat32> lrT = tf.withName("adam_lr").placeholder(TFloat32.class);
		Placeholder<TFloat32> low = tf.withName("low").placeholder(TFloat32.class);
		Placeholder<TFloat32> high = tf.withName("high").placeholder(TFloat32.class);
		Operand<TFloat32> newM = tf.math.add(tf.math.mul(m, tf.constant(BETA1)), tf.math.mul(g, tf.constant(1 - BETA1)));
		Operand<TFloat32> newV = tf.math.add(tf.math.mul(v, tf.constant(BETA2)), tf.math.mul(tf.math.square(g), tf.constant(
			1 - BETA2)));
		Operand<TFloat32> newState = tf.math.sub(state, tf.math.mul(lrT, tf.math.div(newM, tf.math.add(tf.math.sqrt(newV),
			tf.constant(EPSILON)))));
		Operand<TFloat32> blurred = null;
		if (!codeSpace) {
			newState = tf.clipByValue(newState, low, high);
			float[][][][] kernel = new float[3][3][c][1];
			float[] b = { 0.25f, 0.5f, 0.25f };
			for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int ch = 0; ch < c; ch++) kernel[i][j][ch][0] = b[i] * b[j];
			Operand<TFloat32> padded = tf.mirrorPad(state, tf.constant(new int[][] { { 0, 0 }, { 1, 1 }, { 1, 1 }, { 0, 0 } }),
				"REFLECT");
			blurred = tf.clipByValue(tf.nn.depthwiseConv2dNative(padded, tf.constant(kernel), List.of(1L, 1L, 1L, 1L),
				"VALID"), low, high);
		}
		Placeholder<TInt32> initShape = tf.withName("init_shape").placeholder(TInt32.class);
		Placeholder<TInt64> initSeed = tf.withName("init_seed").placeholder(TInt64.class);
		Placeholder<TFloat32> initCenter = tf.withName("init_center").placeholder(TFloat32.class);
		Placeholder<TFloat32> initScale = tf.withName("init_scale").placeholder(TFloat32.class);
		// one start point for every row: a row's prototype does not depend on the other targets in the batch
		Operand<TFloat32> noise = tf.random.statelessRandomNormal(tf.concat(List.of(tf.constant(new int[] { 1 }), tf
			.stridedSlice(initShape, Indices.sliceFrom(1))), tf.constant(0)), initSeed);
		Operand<TFloat32> init = tf.math.add(tf.zeros(initShape, TFloat32.class), tf.math.add(initCenter, tf.math.mul(
			initScale, noise)));
		Operand<TFloat32> zeros = tf.zerosLike(init);
		Operand<TFloat32> planes = tf.linalg.transpose(image, tf.constant(new int[] { 0, 3, 1, 2 }));
		return new Ops_(state, codeSpace, m, v, bar, classMask, unitMasks, lambda, tv, lrT, low, high, shift, image, planes,
			score, objective, model.scores(tf, ScoreKind.PROBABILITY, logits), logits, newState, newM, newV, blurred,
			initShape, initSeed, initCenter, initScale, init, zeros);
	}

	private static void checkFits(Shape out, ClassifierModel model, Path generator) {
		Shape in = model.input().shape();
		boolean fits = out.numDimensions() == 4;
		for (int d = 1; fits && d < 4; d++) fits = out.size(d) < 0 || out.size(d) == in.size(d);
		if (!fits) throw new ExplainException("The generator " + generator.getFileName() + " makes images of shape " + out +
			" but the classifier " + model.path().getFileName() + " takes " + in + ".",
			"Use a generator whose output has the classifier's input height, width and channels (" + model.height() + "x" +
				model.width() + "x" + model.channels() + ").");
	}

	private static String generatorKey(Path path) {
		Path real = path.toAbsolutePath().normalize();
		long modified;
		try {
			modified = java.nio.file.Files.getLastModifiedTime(real.resolve("saved_model.pb")).toMillis();
		}
		catch (java.io.IOException e) {
			modified = 0;
		}
		return real + "@" + modified;
	}

	/** A cached generator is audited again (its frozen graph) for callers who do not trust it. */
	private static synchronized GeneratorModel generator(Path path, boolean trust) {
		String key = generatorKey(path);
		GeneratorModel g = GENERATORS.get(key);
		if (g != null) ModelAudit.check(ModelAudit.of(g.graphDef()), g.path(), trust);
		else {
			g = GeneratorModel.load(path, trust);
			GENERATORS.put(key, g);
			while (GENERATORS.size() > 4) GENERATORS.remove(GENERATORS.keySet().iterator().next());
		}
		return g;
	}
}
