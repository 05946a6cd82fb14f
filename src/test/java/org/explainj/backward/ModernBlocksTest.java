package org.explainj.backward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.explainj.TestData;
import org.explainj.methods.AttributionMethod;
import org.explainj.methods.Explainer;
import org.explainj.methods.Explanation;
import org.explainj.methods.MethodSettings;
import org.explainj.methods.Reduction;
import org.explainj.methods.Target;
import org.explainj.model.ScoreKind;
import org.explainj.methods.InputBatch;
import org.explainj.methods.Methods;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The probes of modern CNN blocks (tools/fixtures/make_backward_models.py): an EfficientNet-like block
 * (swish as IdentityN, squeeze-and-excitation Multiply, relu6) and a ConvNeXt-like block (LayerNorm,
 * exact and tanh GELU, Dense on feature maps as Tensordot, Cropping2D, UpSampling2D, global max pooling).
 * TensorFlow's gradient registry has no gradient for IdentityN and Erfc, so the gradient comes from the
 * backward engine; it is checked against central finite differences of the logit, which exercises every
 * op's transpose. Every method runs on each, and on a probe of ConvNeXt's head (LayerNormalization on the
 * pooled [N, C] features, which Keras writes as x * inv + (beta - mean * inv)).
 */
class ModernBlocksTest {

	private static final Path DIR = Path.of("test-images/models/backward");

	@ParameterizedTest
	@ValueSource(strings = { "efficientnet-block", "convnext-block", "layernorm-head" })
	void theGradientMatchesFiniteDifferences(String name) throws Exception {
		InputBatch x = TestData.reference(DIR.resolve(name)).input();
		try (ClassifierModel m = ModelLoader.load(DIR.resolve(name))) {
			AttributionMethod gradient = Methods.byName("gradient");
			Explanation e = new Explainer(m).explain(gradient, MethodSettings.of(gradient, Map.of()), x, null, Target.TOP,
				ScoreKind.LOGIT, Reduction.NONE, 8, (d, t) -> {});
			int size = x.height() * x.width() * x.channels();
			Random random = new Random(3);
			for (int i = 0; i < x.n(); i++) {
				float[] g = java.util.Arrays.copyOfRange(e.maps(), i * size, (i + 1) * size);
				float[] image = java.util.Arrays.copyOfRange(x.data(), i * size, (i + 1) * size);
				double norm = 0;
				for (float v : g) norm += v * v;
				norm = Math.sqrt(norm);
				assertTrue(norm > 0);
				float[] along = new float[size], other = new float[size];
				double[] gaussian = new double[size];
				double length = 0;
				for (int j = 0; j < size; j++) {
					gaussian[j] = random.nextGaussian();
					length += gaussian[j] * gaussian[j];
				}
				length = Math.sqrt(length);
				for (int j = 0; j < size; j++) {
					along[j] = (float) (g[j] / norm);
					// a unit direction, so the difference quotient steps as far as along the gradient (a step of
					// 0.01 along an unnormalised Gaussian crosses ReLU kinks of the layer-norm probe)
					other[j] = (float) (gaussian[j] / length);
				}
				int target = e.targets()[i];
				assertEquals(norm, directional(m, x, image, along, target), 2e-3 * norm, name + " along the gradient");
				double dot = 0;
				for (int j = 0; j < size; j++) dot += g[j] * other[j];
				assertEquals(dot, directional(m, x, image, other, target), 2e-3 * norm, name + " along a random direction");
			}
		}
	}

	/** (f(x + h v) - f(x - h v)) / 2h for the target's logit. */
	private static double directional(ClassifierModel m, InputBatch x, float[] image, float[] v, int target) {
		double h = 1e-2;
		float[] both = new float[2 * image.length];
		for (int j = 0; j < image.length; j++) {
			both[j] = (float) (image[j] + h * v[j]);
			both[image.length + j] = (float) (image[j] - h * v[j]);
		}
		try (TFloat32 t = TFloat32.tensorOf(Shape.of(2, x.height(), x.width(), x.channels()), DataBuffers.of(both, true,
			false)); Result r = m.session().runner().feed(m.input(), t).fetch(m.logits()).run())
		{
			float[] logits = new float[2 * m.numClasses()];
			((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(logits);
			return (logits[target] - logits[m.numClasses() + target]) / (2 * h);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "efficientnet-block", "convnext-block", "layernorm-head" })
	void everyMethodRuns(String name) throws Exception {
		InputBatch x = TestData.reference(DIR.resolve(name)).input();
		try (ClassifierModel m = ModelLoader.load(DIR.resolve(name))) {
			for (AttributionMethod method : Methods.all()) {
				if (!name.equals("efficientnet-block") && method.name().equals("cam")) {
					// CAM needs conv -> global average pooling -> dense; these end in global max pooling or layer norm
					assertThrows(org.explainj.ExplainException.class, () -> RelevanceAxiomsTest.run(m, "cam", x, Map.of()));
					continue;
				}
				Explanation e = RelevanceAxiomsTest.run(m, method.name(), x, Map.of());
				for (float v : e.maps()) assertTrue(Float.isFinite(v), name + " " + method.name());
				float[] kept = e.diagnostics().get("conservation"), absorbed = e.diagnostics().get("absorbed");
				for (int i = 0; kept != null && i < e.n(); i++) {
					// relevance: the map and what the rules absorbed add up to the logit; DeepLIFT: summation-to-delta
					assertEquals(1, kept[i] + (absorbed == null ? 0 : absorbed[i]), 1e-3, name + " " + method.name());
				}
			}
		}
	}

	/**
	 * LRP-0 treats the layer normalisations' mean and variance as constants (Ali et al. 2022; docs/METHODS.md
	 * 2.7): on the ReLU probe of ConvNeXt's head it must equal x * df/dx of the network with the statistics
	 * frozen, which the fixture script computed with Keras and GradientTape.
	 */
	@org.junit.jupiter.api.Test
	void lrpZeroThroughTheHeadLayerNormHoldsTheStatisticsConstant() throws Exception {
		Path dir = DIR.resolve("layernorm-head");
		InputBatch x = TestData.reference(dir).input();
		float[] expected = TestData.numbers(dir, "lrp0_frozen_statistics");
		try (ClassifierModel m = ModelLoader.load(dir)) {
			Explanation lrp = RelevanceAxiomsTest.run(m, "lrp-0", x, Map.of());
			int pixels = x.height() * x.width(), c = x.channels();
			for (int i = 0; i < x.n(); i++) {
				float[] a = lrp.map(i);
				double norm = 0, diff = 0;
				for (int j = 0; j < pixels; j++) {
					double b = 0;
					// the explainer sums the channels (Reduction.SUM); the reference is per channel
					for (int k = 0; k < c; k++) b += expected[(i * pixels + j) * c + k];
					norm += b * b;
					diff += (a[j] - b) * (a[j] - b);
				}
				assertTrue(norm > 0, "a map to compare");
				assertTrue(Math.sqrt(diff / norm) <= 1e-4, "image " + i + ": |LRP-0 - x df/dx (statistics frozen)| / " +
					"|x df/dx| = " + Math.sqrt(diff / norm));
			}
		}
	}
}
