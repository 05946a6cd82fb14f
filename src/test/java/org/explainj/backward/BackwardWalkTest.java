package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The explicit backward walk against TensorFlow's own gradient, and guided backprop against a reference. */
class BackwardWalkTest {

	@TempDir
	Path tmp;

	private record Built(Placeholder<TFloat32> seed, org.tensorflow.Operand<TFloat32> walk, Output<TFloat32> tensorflow) {}

	/** With plain-gradient rules the walk equals addGradients, on every kind of model, for any seed. */
	@Test
	void plainGradientRulesReproduceTensorFlowsGradient() throws Exception {
		for (Path p : new Path[] { TestData.MALARIA, TestData.MNIST, TestData.tf1SavedModel(tmp.resolve("tf1"), true) }) {
			try (ClassifierModel m = ModelLoader.load(p)) {
				Built b = m.ops("walk", tf -> {
					Placeholder<TFloat32> seed = tf.placeholder(TFloat32.class);
					var walk = new BackwardWalk(tf, m, t -> t, Composite.gradient(ReluRule.GRADIENT)).run(m.logits(), seed);
					Output<?> total = tf.reduceSum(tf.math.mul(m.logits(), seed), tf.constant(new int[] { 0, 1 })).asOutput();
					return new Built(seed, walk, m.graph().addGradients(total, new Output<?>[] { m.input() })[0].expect(
						TFloat32.class));
				});
				int size = m.height() * m.width() * m.channels(), k = m.numClasses();
				float[] x = TestData.randomImage(21, 3 * size), seed = TestData.randomImage(22, 3 * k);
				for (int i = 0; i < seed.length; i++) seed[i] -= 0.5f;
				try (TFloat32 tx = TFloat32.tensorOf(Shape.of(3, m.height(), m.width(), m.channels()), DataBuffers.of(x,
						true, false));
					TFloat32 ts = TFloat32.tensorOf(Shape.of(3, k), DataBuffers.of(seed, true, false));
					Result r = m.session().runner().feed(m.input(), tx).feed(b.seed(), ts).fetch(b.walk()).fetch(b
						.tensorflow()).run())
				{
					float[] walk = read(r.get(0)), reference = read(r.get(1));
					float max = 0;
					for (float v : reference) max = Math.max(max, Math.abs(v));
					assertTrue(max > 0, p.toString());
					assertArrayEquals(reference, walk, 1e-5f * max, p.toString());
				}
			}
		}
	}

	@Test
	void guidedBackpropOfTheOriginalIsTheGradientOfTheVariantWithNonNegativeDenseWeights() throws Exception {
		try (ClassifierModel original = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("o"), true));
			ClassifierModel variant = ModelLoader.load(TestData.tf1SavedModel(tmp.resolve("v"), true, true)))
		{
			int size = 12 * 12 * 3;
			InputBatch x = new InputBatch(TestData.randomImage(4, 2 * size), 2, 12, 12, 3);
			for (String target : new String[] { "0", "2" }) {
				float[] guided = run(original, "guided-backprop", x, target).maps();
				float[] gradient = run(variant, "gradient", x, target).maps();
				float max = 0;
				for (float v : gradient) max = Math.max(max, Math.abs(v));
				assertTrue(max > 0);
				assertArrayEquals(gradient, guided, 1e-5f * max, "target " + target);
				float[] plain = run(original, "gradient", x, target).maps();
				assertTrue(!java.util.Arrays.equals(plain, guided), "guided differs from the plain gradient");
			}
		}
	}

	@Test
	void guidedGradCamIsGuidedBackpropTimesUpsampledGradCam() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.PARASITIZED)), m,
				IntensityScaling.UNIT);
			float[] guided = run(m, "guided-backprop", x, "infected").maps();
			float[] cam = new Explainer(m).explain(Methods.byName("grad-cam"), MethodSettings.defaults(Methods.byName(
				"grad-cam")), x, null, new Target("infected"), ScoreKind.LOGIT, Reduction.NONE, 1, (a, b) -> {}).maps();
			float[] both = run(m, "guided-grad-cam", x, "infected").maps();
			assertEquals(44 * 44 * 3, both.length);
			for (int i = 0; i < both.length; i++) assertEquals(guided[i] * cam[i / 3], both[i], 1e-6f * (1 + Math.abs(
				guided[i] * cam[i / 3])));
			// through a noise tunnel without noise: the walk runs on the network copy
			Explanation tunnel = new Explainer(m).explain(Methods.byName("smoothgrad"), MethodSettings.of(Methods.byName(
				"smoothgrad"), Map.of("of", "guided-backprop", "noise", "0", "samples", "2")), x, null, new Target(
					"infected"), ScoreKind.LOGIT, Reduction.NONE, 1, (a, b) -> {});
			float max = 0;
			for (float v : guided) max = Math.max(max, Math.abs(v));
			assertArrayEquals(guided, tunnel.maps(), 1e-5f * max);
		}
	}

	private static Explanation run(ClassifierModel m, String method, InputBatch x, String target) {
		AttributionMethod a = Methods.byName(method);
		return new Explainer(m).explain(a, MethodSettings.defaults(a), x, null, new Target(target), ScoreKind.LOGIT,
			Reduction.NONE, 8, (d, t) -> {});
	}

	private static float[] read(org.tensorflow.Tensor t) {
		float[] out = new float[(int) t.shape().size()];
		((TFloat32) t).asRawTensor().data().asFloats().read(out);
		return out;
	}

	private record UnitReference(Output<TFloat32> throughRelu, Output<TFloat32> beforeRelu) {}

	/**
	 * An internal unit as target: the mean of channel 5 of the first convolution's ReLU output. Its
	 * signal is positive everywhere, so guided backprop equals TensorFlow's gradient of that mean, and
	 * deconvnet (which ignores the forward ReLU) the gradient of the same mean before the ReLU.
	 */
	@Test
	void unitTargetsStartTheWalkAtALayersChannel() {
		try (ClassifierModel m = ModelLoader.load(TestData.MNIST)) {
			Output<TFloat32> relu = m.layers().layer("conv2d").output();
			Output<TFloat32> pre = ((org.tensorflow.GraphOperation) relu.op()).input(0).expect(TFloat32.class);
			UnitReference ref = m.ops("unit reference", tf -> {
				java.util.function.Function<Output<TFloat32>, Output<TFloat32>> grad = t -> {
					var channel = tf.gather(t, tf.constant(5), tf.constant(3));
					var mean = tf.math.mean(channel, tf.constant(new int[] { 1, 2 }));
					return m.graph().addGradients(tf.reduceSum(mean, tf.constant(0)).asOutput(), new Output<?>[] { m
						.input() })[0].expect(TFloat32.class);
				};
				return new UnitReference(grad.apply(relu), grad.apply(pre));
			});
			InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(TestData.open(TestData.DIGIT)), m,
				IntensityScaling.UNIT);
			float[] guided = run(m, "guided-backprop", x, "conv2d:5").maps();
			float[] deconv = run(m, "deconvnet", x, "conv2d:5").maps();
			try (TFloat32 tx = TFloat32.tensorOf(Shape.of(1, 28, 28, 1), DataBuffers.of(x.data(), true, false));
				Result r = m.session().runner().feed(m.input(), tx).fetch(ref.throughRelu()).fetch(ref.beforeRelu()).run())
			{
				float[] g1 = read(r.get(0)), g2 = read(r.get(1));
				assertArrayEquals(g1, guided, 1e-6f);
				assertArrayEquals(g2, deconv, 1e-6f);
				assertTrue(!java.util.Arrays.equals(g1, g2), "the two references differ");
			}
			var e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> run(m,
				"saliency", x, "conv2d:5"));
			assertTrue(e.getMessage().contains("explains classes"), e.getMessage());
			var f = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> run(m,
				"deconvnet", x, "conv2d:99"));
			assertTrue(f.getMessage().contains("has 32 channels"), f.getMessage());
			// a unit of the dense layer (its logit 3, before the softmax): guided backprop there is the
			// guided map of class 3
			float[] unit = run(m, "guided-backprop", x, "dense:3").maps();
			float[] class3 = run(m, "guided-backprop", x, "3").maps();
			assertArrayEquals(class3, unit, 1e-6f);
		}
	}

	/**
	 * A frozen graph with an op the walk does not know (Cos): one message naming it, its layer and the
	 * methods that work, measured (TensorFlow differentiates Cos); gradients still work.
	 */
	@Test
	void anUnknownOpIsNamedAndTheGradientFamilyStillWorks() throws Exception {
		try (ClassifierModel m = ModelLoader.load(unknownOpModel("cos", (tf, h) -> tf.math.cos(h)))) {
			InputBatch x = new InputBatch(TestData.randomImage(1, 16), 1, 4, 4, 1);
			var e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> run(m,
				"lrp-epsilon", x, "top"));
			assertTrue(e.getMessage().startsWith("The backward pass cannot go through op Cos in layer 'block' (node " +
				"'block/op')"), e.getMessage());
			assertTrue(e.getMessage().contains(". The gradient family (gradient"), e.getMessage());
			// saliency by TensorFlow's gradient where the walk stops
			var saliency = run(m, "saliency", x, "top");
			float[] g = TestData.tensorFlowGradient(m, x.data(), 1, saliency.targets());
			for (int i = 0; i < g.length; i++) g[i] = Math.abs(g[i]);
			assertArrayEquals(g, saliency.maps(), 1e-6f);
		}
	}

	/** An op that neither the walk nor TensorFlow differentiates (Round): the walk's sentence, for every gradient method. */
	@Test
	void anOpNothingDifferentiatesLeavesThePerturbationMethods() throws Exception {
		try (ClassifierModel m = ModelLoader.load(unknownOpModel("round", (tf, h) -> tf.math.round(h)))) {
			InputBatch x = new InputBatch(TestData.randomImage(1, 16), 1, 4, 4, 1);
			for (String method : new String[] { "saliency", "grad-cam", "integrated-gradients" }) {
				var e = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.ExplainException.class, () -> run(m, method,
					x, "top"));
				assertTrue(e.getMessage().startsWith("The backward pass cannot go through op Round in layer 'block'") && e
					.getMessage().contains("Only the perturbation methods (occlusion, rise, sobol) work"), method + ": " + e
						.getMessage());
			}
		}
	}

	/**
	 * The gradient family runs on the walk, not on TensorFlow's gradient registry, on the bundled model: no
	 * Conv2DBackpropInput (TensorFlow's transpose of a convolution; the walk turns these kernels instead) is
	 * built for the gradient, Grad-CAM, or the path points and noisy copies of integrated gradients and
	 * SmoothGrad, so a silent fallback would not go unnoticed.
	 */
	@Test
	void theGradientFamilyRunsOnTheWalk() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = new InputBatch(TestData.randomImage(2, 44 * 44 * 3), 1, 44, 44, 3);
			for (String method : new String[] { "gradient", "saliency", "grad-cam", "integrated-gradients", "smoothgrad" })
				run(m, method, x, "top");
			for (var it = m.graph().operations(); it.hasNext();) {
				var op = it.next();
				assertTrue(!op.type().equals("Conv2DBackpropInput"), "TensorFlow's gradient was built: " + op.name());
			}
		}
	}

	/**
	 * Grad-CAM runs its layer as the forward pass does: as many stand-alone ReLU ops execute in a traced
	 * Grad-CAM run as in a traced forward pass (none where oneDNN fuses each ReLU into its convolution). A
	 * Rank op on the layer, which TensorFlow folds into a constant with a control edge to it, kept the last
	 * ReLU out of its convolution. Its channel weights are the pooling's signal itself: the transpose of the
	 * global average pooling spreads it over the layer, and averaging that again (a BroadcastTo and a second
	 * Mean) only gave it back.
	 */
	@Test
	void gradCamLeavesTheForwardPassFusedAndTakesThePooledSignalAsItsWeights() {
		try (ClassifierModel m = ModelLoader.load(TestData.MALARIA)) {
			InputBatch x = new InputBatch(TestData.randomImage(2, 44 * 44 * 3), 1, 44, 44, 3);
			var traced = org.tensorflow.proto.RunOptions.newBuilder().setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel
				.FULL_TRACE).build();
			long forward;
			try (TFloat32 in = TFloat32.tensorOf(Shape.of(1, 44, 44, 3), DataBuffers.of(x.data(), true, false));
				Result r = m.session().runner().feed(m.input(), in).fetch(m.output()).setOptions(traced).runAndFetchMetadata())
			{
				forward = ops(r.getMetadata().orElseThrow().getStepStats(), "Relu");
			}
			List<org.tensorflow.proto.StepStats> gradCam = new java.util.ArrayList<>();
			AttributionMethod a = Methods.byName("grad-cam");
			new Explainer(m).traced(gradCam::add).explain(a, MethodSettings.defaults(a), x, null, Target.TOP, ScoreKind.LOGIT,
				Reduction.NONE, 8, (d, t) -> {});
			// Grad-CAM's own ReLU of the weighted sum is one more
			assertEquals(forward + 1, ops(gradCam.get(0), "Relu"), "stand-alone ReLU ops in Grad-CAM's run");
			assertEquals(1, ops(gradCam.get(0), "Mean"), "Mean ops in Grad-CAM's run (the network's pooling)");
			assertEquals(0, ops(gradCam.get(0), "BroadcastTo"), "BroadcastTo ops in Grad-CAM's run");
		}
	}

	/** Ops of a type executed in a traced run. */
	private static long ops(org.tensorflow.proto.StepStats stats, String type) {
		return stats.getDevStatsList().stream().flatMap(d -> d.getNodeStatsList().stream()).filter(n -> n
			.getTimelineLabel().contains("= " + type + "(")).count();
	}

	/** input [N,4,4,1] -> conv -> {@code op} (name scope 'block') -> dense to 3 logits -> softmax, frozen. */
	private Path unknownOpModel(String name, java.util.function.BiFunction<org.tensorflow.op.Ops, org.tensorflow.Operand<
		TFloat32>, org.tensorflow.Operand<TFloat32>> op) throws Exception
	{
		Path pb = tmp.resolve(name + ".pb");
		try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
			var tf = org.tensorflow.op.Ops.create(g);
			var x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 4, 1)));
			var conv = tf.nn.conv2d(x, tf.constant(new float[][][][] { { { { 1f, -1f } } } }), List.of(1L, 1L, 1L, 1L),
				"SAME");
			var h = op.apply(tf.withSubScope("block").withName("op"), conv);
			var logits = tf.linalg.matMul(tf.reshape(h, tf.constant(new int[] { -1, 32 })), tf.constant(new float[32][3]));
			tf.withName("probabilities").nn.softmax(logits);
			java.nio.file.Files.write(pb, g.toGraphDef().toByteArray());
		}
		return pb;
	}

	/** A frozen bias-free net: [x * scale] -> explicit Pad -> VALID conv -> ReLU -> global mean -> dense. */
	private Path padNet(String name, boolean rescale) throws Exception {
		Path pb = tmp.resolve(name + ".pb");
		java.util.Random r = new java.util.Random(5);
		float[][][][] kernel = new float[3][3][1][4];
		for (var a : kernel) for (var b : a) for (int i = 0; i < 4; i++) b[0][i] = (float) r.nextGaussian();
		float[][] dense = new float[4][3];
		for (var a : dense) for (int i = 0; i < 3; i++) a[i] = (float) r.nextGaussian();
		try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
			var tf = org.tensorflow.op.Ops.create(g);
			org.tensorflow.Operand<TFloat32> x = tf.withName("image").placeholder(TFloat32.class, Placeholder.shape(Shape.of(
				-1, 8, 8, 1)));
			if (rescale) x = tf.math.mul(x, tf.constant(1f));
			var padded = tf.pad(x, tf.constant(new int[][] { { 0, 0 }, { 1, 1 }, { 1, 1 }, { 0, 0 } }), tf.constant(0f));
			var h = tf.nn.relu(tf.nn.conv2d(padded, tf.constant(kernel), List.of(1L, 1L, 1L, 1L), "VALID"));
			var logits = tf.linalg.matMul(tf.math.mean(h, tf.constant(new int[] { 1, 2 })), tf.constant(dense));
			tf.withName("probabilities").nn.softmax(logits);
			java.nio.file.Files.write(pb, g.toGraphDef().toByteArray());
		}
		return pb;
	}

	@Test
	void deepTaylorConservesBehindAnExplicitPadAndSeesThroughPreprocessing() throws Exception {
		try (ClassifierModel plain = ModelLoader.load(padNet("pad", false));
			ClassifierModel rescaled = ModelLoader.load(padNet("pad-rescaled", true)))
		{
			InputBatch x = new InputBatch(TestData.randomImage(6, 2 * 64), 2, 8, 8, 1);
			Explanation e = run(plain, "deep-taylor", x, "top");
			for (int i = 0; i < 2; i++) {
				double sum = 0;
				for (float v : e.map(i)) sum += v;
				assertEquals(e.targetScores()[i], sum, 1e-4 * Math.abs(e.targetScores()[i]), "image " + i);
			}
			// a x*1 preprocessing op before the pad must not cost the pixel layer its z-box rule
			assertArrayEquals(e.maps(), run(rescaled, "deep-taylor", x, "top").maps(), 1e-5f);
		}
	}

	/** The w^2 and flat pixel rules behind an explicit Pad also conserve (the border takes nothing). */
	@Test
	void flatAndWSquarePixelRulesConserveToo() throws Exception {
		try (ClassifierModel plain = ModelLoader.load(padNet("pad-flat", false))) {
			InputBatch x = new InputBatch(TestData.randomImage(7, 64), 1, 8, 8, 1);
			for (String pixels : new String[] { "w2", "flat" }) {
				AttributionMethod a = Methods.byName("deep-taylor");
				Explanation e = new Explainer(plain).explain(a, MethodSettings.of(a, java.util.Map.of("pixels", pixels)), x,
					null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 1, (d, t) -> {});
				double sum = 0;
				for (float v : e.map(0)) sum += v;
				assertEquals(e.targetScores()[0], sum, 1e-4 * Math.abs(e.targetScores()[0]), pixels);
				float cornerRelevance = e.map(0)[0];
				assertTrue(cornerRelevance >= 0, pixels + " relevance is non-negative");
			}
		}
	}
}
