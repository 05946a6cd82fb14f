package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.explainj.TestData;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The Keras fixtures made by tools/fixtures/make_backward_models.py, each with logits computed in Python
 * for a fixed batch: the inlined model reproduces them, and the explicit walk with gradient rules
 * reproduces TensorFlow's gradient on every architecture.
 */
class KerasFixturesTest {

	static final Path DIR = Path.of("test-images/models/backward");

	private record Built(Placeholder<TFloat32> seed, org.tensorflow.Operand<TFloat32> walk, Output<TFloat32> reference) {}

	@ParameterizedTest
	@ValueSource(strings = { "sequential-bias", "sequential-bias-free", "residual-bn", "avgpool", "stride2-valid",
		"bn-after-concat", "bn-after-relu", "bn-after-pool" })
	void inlinedModelMatchesPythonAndTheWalkMatchesTensorFlowsGradient(String name) throws IOException {
		TestData.Reference ref = TestData.reference(DIR.resolve(name));
		try (ClassifierModel m = ModelLoader.load(DIR.resolve(name))) {
			Built b = m.ops("walk", tf -> {
				Placeholder<TFloat32> seed = tf.placeholder(TFloat32.class);
				var walk = new BackwardWalk(tf, m, t -> t, Composite.gradient(ReluRule.GRADIENT)).run(m.logits(), seed);
				Output<?> total = tf.reduceSum(tf.math.mul(m.logits(), seed), tf.constant(new int[] { 0, 1 })).asOutput();
				return new Built(seed, walk, m.graph().addGradients(total, new Output<?>[] { m.input() })[0].expect(
					TFloat32.class));
			});
			InputBatch x = ref.input();
			int k = m.numClasses();
			float[] seed = new float[x.n() * k];
			for (int i = 0; i < seed.length; i++) seed[i] = (i % 3) - 0.7f;
			try (TFloat32 tx = TFloat32.tensorOf(Shape.of(x.n(), x.height(), x.width(), x.channels()), DataBuffers.of(x
					.data(), true, false));
				TFloat32 ts = TFloat32.tensorOf(Shape.of(x.n(), k), DataBuffers.of(seed, true, false));
				Result r = m.session().runner().feed(m.input(), tx).feed(b.seed(), ts).fetch(m.logits()).fetch(b.walk())
					.fetch(b.reference()).run())
			{
				assertArrayEquals(ref.logits(), read(r.get(0)), 1e-4f, "logits as computed by Keras");
				float[] walk = read(r.get(1)), tf = read(r.get(2));
				float max = 0;
				for (float v : tf) max = Math.max(max, Math.abs(v));
				assertTrue(max > 0);
				assertArrayEquals(tf, walk, 1e-5f * max, name);
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "lrp-0", "lrp-zplus", "deep-taylor" })
	void relevanceIsConservedOnTheBiasFreeKerasModel(String method) throws IOException {
		TestData.Reference ref = TestData.reference(DIR.resolve("sequential-bias-free"));
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("sequential-bias-free"))) {
			AttributionMethod a = Methods.byName(method);
			Explanation e = new Explainer(m).explain(a, MethodSettings.of(a, Map.of()), ref.input(), null, Target.TOP,
				ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {});
			for (int i = 0; i < e.n(); i++) {
				double sum = 0;
				for (float v : e.map(i)) sum += v;
				assertEquals(e.targetScores()[i], sum, 1e-4 * Math.abs(e.targetScores()[i]), method + " image " + i);
			}
		}
	}

	private static float[] read(org.tensorflow.Tensor t) {
		float[] out = new float[(int) t.shape().size()];
		((TFloat32) t).asRawTensor().data().asFloats().read(out);
		return out;
	}

	/**
	 * Batch norm (Keras 3 exports it as Mul and AddV2 by constants) and biases folded into the convolution
	 * below give the same forward output as the unfolded ops, for every folded chain of the model.
	 */
	@org.junit.jupiter.api.Test
	void foldingBatchNormIntoTheConvolutionKeepsTheForwardOutput() throws IOException {
		TestData.Reference ref = TestData.reference(DIR.resolve("residual-bn"));
		try (ClassifierModel m = ModelLoader.load(DIR.resolve("residual-bn"))) {
			record Pair(String name, org.tensorflow.Operand<TFloat32> folded, Output<TFloat32> original) {}
			List<Pair> pairs = m.ops("fold", tf -> {
				BackwardWalk walk = new BackwardWalk(tf, m, t -> t, Composite.lrp(new LrpEpsilonRule(0)));
				List<Pair> out = new ArrayList<>();
				walk.foldedLayers(m.logits()).forEach((top, f) -> out.add(new Pair(top + " (" + m.graph().operation(top)
					.type() + ")", tf.math.add(f.layer().forward(tf, f.layer().input(), f.layer().weight()), f.layer()
						.biasOrZero(tf)), m.graph().operation(top).output(0).expect(TFloat32.class))));
				return out;
			});
			long batchNorms = pairs.stream().filter(p -> p.name().endsWith("(AddV2)")).count();
			assertEquals(2, batchNorms, "two batch norms folded: " + pairs.stream().map(Pair::name).toList());
			InputBatch x = ref.input();
			try (TFloat32 tx = TFloat32.tensorOf(Shape.of(x.n(), x.height(), x.width(), x.channels()), DataBuffers.of(x
					.data(), true, false)))
			{
				for (Pair p : pairs) {
					try (Result r = m.session().runner().feed(m.input(), tx).fetch(p.folded()).fetch(p.original()).run()) {
						float[] folded = read(r.get(0)), original = read(r.get(1));
						float max = 0;
						for (float v : original) max = Math.max(max, Math.abs(v));
						assertArrayEquals(original, folded, 1e-5f * Math.max(1, max), p.name());
					}
				}
			}
		}
	}

	/** Gradient ops added by other methods read the same activations: LRP must not change after them. */
	@org.junit.jupiter.api.Test
	void lrpDoesNotDependOnWhatRanBeforeOnTheModel() throws IOException {
		TestData.Reference ref = TestData.reference(DIR.resolve("residual-bn"));
		try (ClassifierModel fresh = ModelLoader.load(DIR.resolve("residual-bn"));
			ClassifierModel used = ModelLoader.load(DIR.resolve("residual-bn")))
		{
			AttributionMethod lrp = Methods.byName("lrp-epsilon"), gradient = Methods.byName("gradient");
			new Explainer(used).explain(gradient, MethodSettings.of(gradient, Map.of()), ref.input(), null, Target.TOP,
				ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {});
			float[] before = new Explainer(fresh).explain(lrp, MethodSettings.of(lrp, Map.of()), ref.input(), null,
				Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {}).maps();
			float[] after = new Explainer(used).explain(lrp, MethodSettings.of(lrp, Map.of("epsilon", "0.01")), ref.input(),
				null, Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 8, (d, t) -> {}).maps();
			assertArrayEquals(before, after, 1e-6f);
		}
	}
}
