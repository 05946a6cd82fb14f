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

	/** Methods with their own backward rules, which may refuse an op they cannot cross (with a sentence). */
	private static final java.util.Set<String> RULE_BASED = java.util.Set.of("guided-backprop", "guided-grad-cam",
		"deconvnet", "lrp-0", "lrp-epsilon", "lrp-gamma", "lrp-alpha-beta", "lrp-zplus", "lrp-epsilon-plus", "deep-taylor",
		"deeplift");

	@ParameterizedTest
	@ValueSource(strings = { "keras3-tf-saved", "keras3-export", "tf1", "frozen-folder", "grey-rank3", "preprocessing" })
	void everyMethodExplainsEveryForm(String form) throws IOException {
		TestData.Reference ref = TestData.reference(DIR.resolve(form));
		float[] gradient = TestData.numbers(DIR.resolve(form), "gradient");
		List<String> failures = new ArrayList<>();
		try (ClassifierModel m = ModelLoader.load(DIR.resolve(form))) {
			InputBatch x = ref.input();
			float[][] logits = TestData.logits(m, x.data(), x.n());
			float[] flat = new float[ref.logits().length];
			for (int i = 0; i < logits.length; i++) System.arraycopy(logits[i], 0, flat, i * logits[i].length, logits[i].length);
			assertArrayEquals(ref.logits(), flat, 1e-4f, "logits as Keras computed them");
			Explainer explainer = new Explainer(m);
			Explanation g = explainer.explain(Methods.byName("gradient"), x, Target.TOP, ScoreKind.LOGIT, Reduction.NONE, 8);
			assertEquals(gradient.length, g.maps().length);
			double max = 0;
			for (float v : gradient) max = Math.max(max, Math.abs(v));
			assertTrue(max > 0);
			for (int i = 0; i < gradient.length; i++) assertEquals(gradient[i], g.maps()[i], 1e-4 * max,
				"gradient vs GradientTape at " + i);
			for (AttributionMethod a : Methods.all()) {
				try {
					Explanation e = explainer.explain(a, x, Target.TOP, ScoreKind.LOGIT, Reduction.SUM, 8);
					for (float v : e.maps()) if (!Float.isFinite(v)) {
						failures.add(a.name() + ": non-finite map");
						break;
					}
				}
				catch (ExplainException e) {
					String text = e.getMessage();
					if (text.toLowerCase().contains("internal error") || text.contains("Exception")) failures.add(a.name() +
						": " + text);
					else if (!RULE_BASED.contains(a.name())) failures.add(a.name() + " refused: " + text);
				}
				catch (RuntimeException e) {
					failures.add(a.name() + ": " + e);
				}
			}
		}
		assertTrue(failures.isEmpty(), form + ": " + String.join("\n", failures));
	}
}
