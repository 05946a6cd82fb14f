package org.explainj.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.image.ImageFrames;
import org.explainj.image.ImageGeometry;
import org.explainj.image.IntensityScaling;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.explainj.model.ClassifierModel;
import org.explainj.model.LayerIndex;
import org.explainj.model.ModelCache;
import org.explainj.model.ScoreKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;

/**
 * CAM, Grad-CAM and Grad-CAM++ (docs/METHODS.md 4) against references computed here from the layer's
 * activations A and the gradient g = dS_c/dA fetched straight from the session: the exact identity
 * Grad-CAM = CAM / (h*w) before the ReLU on the GAP + dense malaria network, Grad-CAM++ by hand, the
 * layer choice and resolutions, the errors, and the pointing game on the parasitized malaria crops.
 * Everything runs through ExplainJob, as the front ends do.
 */
class ClassActivationMapsTest {

	/** The model ExplainJob uses (the shared cache), so that the references see the same graph. */
	static ClassifierModel model(Path path) {
		return ModelCache.shared().acquire(path, false).model();
	}

	static ExplainResult explain(ImagePlus image, Path model, String method, String target, Map<String, String> params) {
		return ExplainJob.run(image, new ExplainOptions(model, Methods.byName(method), new Target(target),
			ScoreKind.LOGIT, IntensityScaling.UNIT, null, 8, params));
	}

	/** The parasitized and the uninfected crop (resized to the same size) as one two-slice stack. */
	static ImagePlus malariaPair() {
		ImagePlus parasitized = TestData.open(TestData.PARASITIZED);
		ImagePlus uninfected = TestData.open(TestData.UNINFECTED);
		ImageStack stack = new ImageStack(parasitized.getWidth(), parasitized.getHeight());
		stack.addSlice(parasitized.getProcessor());
		stack.addSlice(uninfected.getProcessor().resize(parasitized.getWidth(), parasitized.getHeight(), true));
		return new ImagePlus("pair", stack);
	}

	/** A layer's activations A and gradient g = d(sum_n S_{t_n})/dA, both [N,h,w,C], straight from the session. */
	record Fetched(float[] a, float[] g, int n, int h, int w, int c) {
		int at(int sample, int pixel, int k) {
			return (sample * h * w + pixel) * c + k;
		}
	}

	private record Reference(Placeholder<TFloat32> oneHot, Output<TFloat32> layer, Output<TFloat32> gradient) {}

	static Fetched activationsAndGradient(ClassifierModel model, Output<TFloat32> layer, ImagePlus image, int[] targets) {
		InputBatch x = ImageGeometry.shared().toModelInput(ImageFrames.of(image), model, IntensityScaling.UNIT);
		Reference ref = model.ops(List.of("test reference", layer.op().name()), tf -> {
			Placeholder<TFloat32> oneHot = tf.placeholder(TFloat32.class);
			Operand<TFloat32> total = tf.reduceSum(tf.math.mul(model.logits(), oneHot), tf.constant(new int[] { 0, 1 }));
			Output<TFloat32> g = model.graph().addGradients(total.asOutput(), new Output<?>[] { layer })[0].expect(
				TFloat32.class);
			return new Reference(oneHot, layer, g);
		});
		float[][] hot = new float[x.n()][model.numClasses()];
		for (int i = 0; i < x.n(); i++) hot[i][targets[i]] = 1;
		try (TFloat32 in = TFloat32.tensorOf(Shape.of(x.n(), x.height(), x.width(), x.channels()), DataBuffers.of(x
				.data(), true, false));
			TFloat32 t = TFloat32.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(hot));
			Result r = model.session().runner().feed(model.input(), in).feed(ref.oneHot(), t).fetch(ref.layer()).fetch(ref
				.gradient()).run())
		{
			TFloat32 a = (TFloat32) r.get(0);
			Shape s = a.shape();
			float[] av = new float[(int) s.size()], gv = new float[(int) s.size()];
			a.asRawTensor().data().asFloats().read(av);
			((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(gv);
			return new Fetched(av, gv, (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3));
		}
	}

	static Output<TFloat32> layer(ClassifierModel model, String name) {
		return model.layers().layer(name).output();
	}

	static float max(float[] v) {
		float m = Float.NEGATIVE_INFINITY;
		for (float f : v) m = Math.max(m, f);
		return m;
	}

	static float maxAbs(float[] v) {
		float m = 0;
		for (float f : v) m = Math.max(m, Math.abs(f));
		return m;
	}

	@Test
	void gradCamBeforeItsReluIsCamOverTheFeatureMapSizeOnAGapDenseNetwork() {
		ClassifierModel malaria = model(TestData.MALARIA);
		ImagePlus pair = malariaPair();
		Map<String, String> atLayer = Map.of("resolution", "layer");
		ExplainResult cam = explain(pair, TestData.MALARIA, "cam", "top", atLayer);
		ExplainResult gradCam = explain(pair, TestData.MALARIA, "grad-cam", "top", atLayer);
		// per-sample targets in one batch: the CAM weight column is gathered per sample
		int[] targets = cam.explanation().targets();
		assertArrayEquals(new int[] { 0, 1 }, targets, "parasitized -> infected (0), uninfected -> 1");
		assertArrayEquals(targets, gradCam.explanation().targets());
		Explanation e = cam.explanation();
		assertEquals(11, e.height());
		assertEquals(11, e.width());
		assertEquals(1, e.channels());
		// the independent pre-ReLU Grad-CAM from the feature map feeding the global average pooling
		Fetched f = activationsAndGradient(malaria, layer(malaria, "activation_5"), pair, targets);
		assertEquals(11, f.h());
		int hw = f.h() * f.w();
		for (int n = 0; n < f.n(); n++) {
			double[] alpha = new double[f.c()];
			for (int p = 0; p < hw; p++) for (int k = 0; k < f.c(); k++) alpha[k] += f.g()[f.at(n, p, k)] / hw;
			float[] pre = new float[hw];
			for (int p = 0; p < hw; p++) {
				double s = 0;
				for (int k = 0; k < f.c(); k++) s += alpha[k] * f.a()[f.at(n, p, k)];
				pre[p] = (float) s;
			}
			float[] camOverHw = e.map(n);
			for (int p = 0; p < hw; p++) camOverHw[p] /= hw;
			float tol = 1e-5f * maxAbs(pre);
			assertArrayEquals(pre, camOverHw, tol, "sample " + n + ": CAM / (h*w) = pre-ReLU Grad-CAM");
			float[] relu = pre.clone();
			for (int p = 0; p < hw; p++) relu[p] = Math.max(0, relu[p]);
			assertArrayEquals(relu, gradCam.explanation().map(n), tol, "sample " + n + ": Grad-CAM = max(0, that)");
			// both signs occur: the ReLU matters
			assertTrue(max(pre) > 0 && -max(negate(pre)) < 0, Arrays.toString(pre));
		}
		// the default layer is the last convolution's activation (not the pooling after it); a node name
		// of the frozen graph selects the same tensor
		ExplainResult byNode = explain(pair, TestData.MALARIA, "grad-cam", "top", Map.of("layer", "activation_5/Relu",
			"resolution", "layer"));
		assertArrayEquals(gradCam.explanation().maps(), byNode.explanation().maps(), 0f);
	}

	private static float[] negate(float[] v) {
		float[] m = v.clone();
		for (int i = 0; i < m.length; i++) m[i] = -m[i];
		return m;
	}

	/** Grad-CAM++ by hand: a = g^2 / (2 g^2 + sum_ab A g^3) (0 where that is 0), w_k = sum_ij a ReLU(g). */
	static float[] gradCamPlusPlus(Fetched f, int n) {
		int hw = f.h() * f.w();
		double[] weights = new double[f.c()];
		for (int k = 0; k < f.c(); k++) {
			double sumA = 0;
			for (int p = 0; p < hw; p++) sumA += f.a()[f.at(n, p, k)];
			for (int p = 0; p < hw; p++) {
				double g = f.g()[f.at(n, p, k)];
				double denominator = 2 * g * g + sumA * g * g * g;
				double a = denominator == 0 ? 0 : g * g / denominator;
				weights[k] += a * Math.max(0, g);
			}
		}
		float[] map = new float[hw];
		for (int p = 0; p < hw; p++) {
			double s = 0;
			for (int k = 0; k < f.c(); k++) s += weights[k] * f.a()[f.at(n, p, k)];
			map[p] = (float) Math.max(0, s);
		}
		return map;
	}

	// activation_5 feeds the global average pooling (its gradient is constant over the map);
	// activation_4 lies before a max pool and two convolutions, where the gradient varies per pixel
	@ParameterizedTest
	@ValueSource(strings = { "auto", "activation_4" })
	void gradCamPlusPlusMatchesAHandComputation(String layerName) {
		ClassifierModel malaria = model(TestData.MALARIA);
		ImagePlus pair = malariaPair();
		ExplainResult r = explain(pair, TestData.MALARIA, "grad-cam-plus-plus", "top", Map.of("layer", layerName,
			"resolution", "layer"));
		Fetched f = activationsAndGradient(malaria, layer(malaria, layerName.equals("auto") ? "activation_5" : layerName),
			pair, r.explanation().targets());
		assertEquals(f.h(), r.explanation().height());
		assertEquals(f.w(), r.explanation().width());
		for (int n = 0; n < f.n(); n++) {
			float[] expected = gradCamPlusPlus(f, n);
			assertTrue(max(expected) > 0, layerName + " sample " + n + ": an all-zero map proves nothing");
			assertArrayEquals(expected, r.explanation().map(n), 1e-4f * max(expected), layerName + " sample " + n);
		}
		if (layerName.equals("activation_4")) {
			// the gradient is not constant over the map here, so the test above is not the trivial case
			float[] g0 = new float[f.h() * f.w()];
			for (int p = 0; p < g0.length; p++) g0[p] = f.g()[f.at(0, p, 0)];
			float[] sorted = g0.clone();
			Arrays.sort(sorted);
			assertTrue(sorted[sorted.length - 1] > sorted[0], "gradient of channel 0 varies");
		}
	}

	@Test
	void layerNameSetsTheMapSizeOnTheKerasMnistModel() {
		ImagePlus digit = TestData.open(TestData.DIGIT);
		for (String method : List.of("grad-cam", "grad-cam-plus-plus")) {
			Explanation atLayer = explain(digit, TestData.MNIST, method, "top", Map.of("layer", "conv2d_1", "resolution",
				"layer")).explanation();
			assertEquals(List.of(11, 11, 1), List.of(atLayer.height(), atLayer.width(), atLayer.channels()), method);
			Explanation atInput = explain(digit, TestData.MNIST, method, "top", Map.of("layer", "conv2d_1")).explanation();
			assertEquals(List.of(28, 28, 1), List.of(atInput.height(), atInput.width(), atInput.channels()), method);
			assertTrue(max(atInput.maps()) > 0, method);
			// auto: the last convolution with its ReLU (conv2d_1, 11x11), not the max pool after it (5x5)
			Explanation auto = explain(digit, TestData.MNIST, method, "top", Map.of("resolution", "layer")).explanation();
			assertArrayEquals(atLayer.maps(), auto.maps(), 0f, method);
		}
	}

	@Test
	void inputResolutionIsTheLayerMapUpsampledBilinearly() {
		ImagePlus digit = TestData.open(TestData.DIGIT);
		Explanation small = explain(digit, TestData.MNIST, "grad-cam", "top", Map.of("resolution", "layer"))
			.explanation();
		Explanation big = explain(digit, TestData.MNIST, "grad-cam", "top", Map.of()).explanation();
		// half-pixel centres: output pixel y samples the 11-pixel map at (y + 0.5) * 11/28 - 0.5, clamped
		float[] m = small.map(0);
		float[] up = big.map(0);
		for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) {
			double sy = Math.max(0, (y + 0.5) * 11 / 28 - 0.5), sx = Math.max(0, (x + 0.5) * 11 / 28 - 0.5);
			int y0 = (int) sy, x0 = (int) sx, y1 = Math.min(y0 + 1, 10), x1 = Math.min(x0 + 1, 10);
			double fy = sy - y0, fx = sx - x0;
			double v = (1 - fy) * ((1 - fx) * m[y0 * 11 + x0] + fx * m[y0 * 11 + x1]) + fy * ((1 - fx) * m[y1 * 11 + x0] +
				fx * m[y1 * 11 + x1]);
			assertEquals(v, up[y * 28 + x], 1e-5 * max(m), "pixel " + x + "," + y);
		}
	}

	@Test
	void unknownLayersAndNonGapNetworksGetClearMessages() {
		ImagePlus digit = TestData.open(TestData.DIGIT);
		ExplainException unknown = assertThrows(ExplainException.class, () -> explain(digit, TestData.MNIST, "grad-cam",
			"top", Map.of("layer", "conv9")));
		assertTrue(unknown.getMessage().contains("no layer 'conv9'") && unknown.getMessage().contains("conv2d_1") &&
			unknown.getMessage().contains("max_pooling2d"), unknown.getMessage());
		// a node name must name a tensor between input and logits: a 4-D kernel constant is none
		ExplainException kernel = assertThrows(ExplainException.class, () -> explain(TestData.open(TestData.PARASITIZED),
			TestData.MALARIA, "grad-cam", "top", Map.of("layer", "conv2d_1/kernel")));
		assertTrue(kernel.getMessage().contains("no layer 'conv2d_1/kernel'"), kernel.getMessage());
		ExplainException flat = assertThrows(ExplainException.class, () -> explain(digit, TestData.MNIST, "grad-cam",
			"top", Map.of("layer", "dense")));
		assertTrue(flat.getMessage().contains("4-D") && flat.getMessage().contains("conv2d_1"), flat.getMessage());
		ExplainException resolution = assertThrows(ExplainException.class, () -> explain(digit, TestData.MNIST,
			"grad-cam", "top", Map.of("resolution", "source")));
		assertTrue(resolution.getMessage().contains("[input, layer]"), resolution.getMessage());
		// Flatten -> Dense, no global average pooling
		ExplainException cam = assertThrows(ExplainException.class, () -> explain(digit, TestData.MNIST, "cam", "top",
			Map.of()));
		assertTrue(cam.getMessage().contains("CAM needs a network that ends in conv -> global average pooling -> dense; this model does not") && cam.getMessage().contains(
			"grad-cam"), cam.getMessage());
		// CAM takes a layer (issue 10), but on a network without global average pooling it still says why not
		ExplainException noGap = assertThrows(ExplainException.class, () -> explain(digit, TestData.MNIST, "cam", "top",
			Map.of("layer", "conv2d_1")));
		assertTrue(noGap.getMessage().startsWith("CAM needs a network that ends in conv -> global average pooling"), noGap
			.getMessage());
	}

	static Stream<Arguments> pointingGame() throws IOException {
		List<Arguments> cases = new ArrayList<>();
		try (Stream<Path> files = Files.list(TestData.MALARIA_IMAGES)) {
			List<Path> parasitized = files.filter(p -> p.getFileName().toString().startsWith("Parasitized")).sorted()
				.toList();
			assertEquals(2, parasitized.size());
			for (Path p : parasitized) {
				for (String m : List.of("cam", "grad-cam", "grad-cam-plus-plus")) cases.add(Arguments.of(m, p));
			}
		}
		return cases.stream();
	}

	/**
	 * The pointing game. The maximum of the map (in the source geometry) must fall on the parasite mask
	 * dilated by half a cell of the layer's map (the 11x11 feature map of the malaria model: ~6 source
	 * pixels on these crops), because a class activation map cannot place its peak more finely than its
	 * own grid; how far the maximum lies from the undilated mask is printed. The maximum cell of the
	 * layer-resolution map must contain parasite pixels. The map's positive mass on the (undilated) mask
	 * must exceed the mask's share of the cell area.
	 */
	@ParameterizedTest(name = "{0} {1}")
	@MethodSource
	void pointingGame(String method, Path crop) {
		ImagePlus image = TestData.open(crop);
		int w = image.getWidth(), h = image.getHeight();
		boolean[][] masks = TestData.parasiteMask((ColorProcessor) image.getProcessor());
		boolean[] cell = masks[0], parasite = masks[1];
		ExplainResult r = explain(image, TestData.MALARIA, method, "infected", Map.of());
		assertEquals(0, r.explanation().targets()[0]);
		float[] map = r.map(0, 0);
		assertEquals(w * h, map.length);
		int argmax = 0, cellArea = 0, maskArea = 0;
		double massCell = 0, massMask = 0;
		for (int i = 0; i < map.length; i++) {
			if (map[i] > map[argmax]) argmax = i;
			if (!cell[i]) continue;
			cellArea++;
			double positive = Math.max(0, map[i]);
			massCell += positive;
			if (parasite[i]) {
				maskArea++;
				massMask += positive;
			}
		}
		double areaShare = (double) maskArea / cellArea, massShare = massMask / massCell;
		double distance = Double.POSITIVE_INFINITY;
		for (int i = 0; i < map.length; i++) {
			if (parasite[i]) distance = Math.min(distance, Math.hypot(i % w - argmax % w, i / w - argmax / w));
		}
		// the same map at the layer's resolution: does its maximum cell cover parasite pixels?
		Explanation coarse = explain(image, TestData.MALARIA, method, "infected", Map.of("resolution", "layer"))
			.explanation();
		float[] small = coarse.map(0);
		int top = 0;
		for (int q = 0; q < small.length; q++) if (small[q] > small[top]) top = q;
		int cx = top % coarse.width(), cy = top / coarse.width();
		boolean cellHit = false;
		for (int i = 0; i < map.length; i++) {
			cellHit |= parasite[i] && (i % w) * coarse.width() / w == cx && (i / w) * coarse.height() / h == cy;
		}
		double halfCell = 0.5 * Math.max((double) w / coarse.width(), (double) h / coarse.height());
		System.out.printf(Locale.ROOT, "pointing game %-18s %s: mass share on mask %.3f vs area share %.3f (x%.1f); " +
			"max at (%d,%d): on mask %s, %.1f px from it (half a layer cell %.1f px); max cell of the %dx%d map on " +
			"mask %s%n", method, crop.getFileName(), massShare, areaShare, massShare / areaShare, argmax % w, argmax / w,
			parasite[argmax] ? "yes" : "no", distance, halfCell, coarse.width(), coarse.height(), cellHit ? "yes" : "no");
		assertTrue(maskArea > 50 && areaShare < 0.05, "mask " + maskArea + " of " + cellArea + " pixels");
		assertTrue(distance <= halfCell, method + ": maximum at (" + argmax % w + "," + argmax / w + ") lies " +
			distance + " px from the parasite");
		assertTrue(cellHit, method + ": the maximum cell (" + cx + "," + cy + ") of the layer map holds no parasite");
		assertTrue(massShare > areaShare, method + ": mass share " + massShare + " <= area share " + areaShare);
	}
}
