package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.methods.Methods;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every form of model ExplainJ opens (tools/fixtures/make_model_forms.py): it loads, reproduces the
 * logits Keras computed, its gradient equals TensorFlow's GradientTape in Python, and every method
 * explains it (finite maps); only the methods with their own backward rules may refuse, with a sentence
 * naming the op (the preprocessing model's Normalization divides, which they do not cross yet).
 */
class ModelFormsTest {

	static final Path DIR = Path.of("test-images/models/forms");

	/**
	 * Methods with their own backward rules, which may refuse an op they cannot cross (with a sentence), and
	 * CAM, which needs a global average pooling before the classifier.
	 */
	private static final java.util.Set<String> MAY_REFUSE = java.util.Set.of("cam", "guided-backprop", "guided-grad-cam",
		"deconvnet", "lrp-0", "lrp-epsilon", "lrp-gamma", "lrp-alpha-beta", "lrp-zplus", "lrp-epsilon-plus", "deep-taylor",
		"deeplift");

	/** The bundled TF 2.x Keras model, whose reference lies in forms/keras2-mnist (its logits are out of Python's reach). */
	private static Path model(String form) {
		return form.equals("keras2-mnist") ? TestData.MNIST : DIR.resolve(form);
	}

	@ParameterizedTest
	@ValueSource(strings = { "keras3-tf-saved", "keras3-export", "keras2-mnist", "tf1", "frozen-folder", "grey-rank3",
		"preprocessing" })
	void everyMethodExplainsEveryForm(String form) throws IOException {
		Path refDir = DIR.resolve(form);
		ScoreKind score = Files.readString(refDir.resolve("reference.json")).contains("\"log-probability\"")
			? ScoreKind.LOG_PROBABILITY : ScoreKind.LOGIT;
		float[] shape = TestData.numbers(refDir, "input_shape"), gradient = TestData.numbers(refDir, "gradient");
		float[] classes = TestData.numbers(refDir, "classes");
		InputBatch x = new InputBatch(TestData.numbers(refDir, "input"), (int) shape[0], (int) shape[1], (int) shape[2],
			(int) shape[3]);
		List<String> failures = new ArrayList<>();
		try (ClassifierModel m = ModelLoader.load(model(form))) {
			Explainer explainer = new Explainer(m);
			Explanation g = explainer.explain(Methods.byName("gradient"), x, Target.TOP, score, Reduction.NONE, 8);
			if (score == ScoreKind.LOGIT) {
				float[][] logits = TestData.logits(m, x.data(), x.n());
				float[] expected = TestData.numbers(refDir, "logits");
				for (int i = 0; i < x.n(); i++) assertArrayEquals(java.util.Arrays.copyOfRange(expected, i * logits[i].length,
					(i + 1) * logits[i].length), logits[i], 1e-4f, "logits as Keras computed them");
			}
			else assertArrayEquals(TestData.numbers(refDir, "log_probabilities"), g.targetScores(), 1e-4f);
			for (int i = 0; i < x.n(); i++) assertEquals((int) classes[i], g.targets()[i], "the class GradientTape explained");
			assertEquals(gradient.length, g.maps().length);
			double max = 0;
			for (float v : gradient) max = Math.max(max, Math.abs(v));
			assertTrue(max > 0);
			for (int i = 0; i < gradient.length; i++) assertEquals(gradient[i], g.maps()[i], 1e-4 * max,
				"gradient vs GradientTape at " + i);
			for (AttributionMethod a : Methods.all()) {
				try {
					Explanation e = explainer.explain(a, x, Target.TOP, score, Reduction.SUM, 8);
					for (float v : e.maps()) if (!Float.isFinite(v)) {
						failures.add(a.name() + ": non-finite map");
						break;
					}
				}
				catch (ExplainException e) {
					String text = e.getMessage();
					if (text.toLowerCase().contains("internal error") || text.contains("Exception")) failures.add(a.name() +
						": " + text);
					else if (!MAY_REFUSE.contains(a.name())) failures.add(a.name() + " refused: " + text);
				}
				catch (RuntimeException e) {
					failures.add(a.name() + ": " + e);
				}
			}
		}
		assertTrue(failures.isEmpty(), form + ": " + String.join("\n", failures));
	}

	/**
	 * A frozen graph whose input is [N, 28, 28] (no channel axis): y_k = sum_i w_ik x_i, so the gradient of
	 * logit k is the column w_k, which the map must reproduce in the [28, 28, 1] layout.
	 */
	@org.junit.jupiter.api.Test
	void frozenGreyGraphWithoutChannelAxis(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
		float[][] w = new float[784][2];
		for (int i = 0; i < 784; i++) {
			w[i][0] = (i % 7) / 7f - 0.4f;
			w[i][1] = (i % 5) / 5f;
		}
		Path file = tmp.resolve("grey.pb");
		try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
			org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
			var x = tf.placeholder(org.tensorflow.types.TFloat32.class, org.tensorflow.op.core.Placeholder.shape(
				org.tensorflow.ndarray.Shape.of(-1, 28, 28)));
			tf.nn.softmax(tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] { -1, 784 })), tf.constant(w)));
			Files.write(file, g.toGraphDef().toByteArray());
		}
		try (ClassifierModel m = ModelLoader.load(file)) {
			assertEquals(1, m.channels());
			Explanation e = new Explainer(m).explain(Methods.byName("gradient"), new InputBatch(TestData.randomImage(3, 784),
				1, 28, 28, 1), new Target("1"), ScoreKind.LOGIT, Reduction.NONE, 8);
			for (int i = 0; i < 784; i++) assertEquals(w[i][1], e.maps()[i], 1e-6f);
		}
	}
}
