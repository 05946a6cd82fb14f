package org.explainj.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.explainj.ExplainException;
import org.explainj.TestData;
import org.explainj.methods.Explanation;
import org.explainj.methods.InputBatch;
import org.explainj.model.ClassifierModel;
import org.explainj.model.ModelLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ShortProcessor;

class ImageGeometryTest {

	static ClassifierModel malaria, mnist;

	@BeforeAll
	static void load() {
		malaria = ModelLoader.load(TestData.MALARIA);
		mnist = ModelLoader.load(TestData.MNIST);
	}

	@AfterAll
	static void close() {
		malaria.close();
		mnist.close();
	}

	@Test
	void rgbPixelsAreScaledToUnitAndKeepTheirChannelOrder() {
		// 44x44 RGB: no resize, so every value can be checked exactly
		ColorProcessor cp = new ColorProcessor(44, 44);
		cp.setColor(new java.awt.Color(255, 51, 0));
		cp.fill();
		cp.set(3, 2, (10 << 16) | (20 << 8) | 30);
		InputBatch b = ImageGeometry.shared().toModelInput(ImageFrames.of(new ImagePlus("rgb", cp)), malaria,
			IntensityScaling.UNIT);
		assertEquals(1, b.n());
		int at = (2 * 44 + 3) * 3;
		assertArrayEquals(new float[] { 10 / 255f, 20 / 255f, 30 / 255f }, java.util.Arrays.copyOfRange(b.data(), at, at + 3),
			1e-6f);
		assertArrayEquals(new float[] { 1f, 0.2f, 0f }, java.util.Arrays.copyOfRange(b.data(), 0, 3), 1e-6f);
	}

	@Test
	void greyIsReplicatedToRgbAndRgbAveragedToGrey() {
		ShortProcessor sp = new ShortProcessor(44, 44);
		sp.set(5, 5, 65535);
		InputBatch rgb = ImageGeometry.shared().toModelInput(ImageFrames.of(new ImagePlus("16-bit", sp)), malaria,
			IntensityScaling.UNIT);
		int at = (5 * 44 + 5) * 3;
		assertArrayEquals(new float[] { 1, 1, 1 }, java.util.Arrays.copyOfRange(rgb.data(), at, at + 3), 1e-6f);
		ColorProcessor cp = new ColorProcessor(28, 28);
		cp.set(0, 0, (30 << 16) | (60 << 8) | 90);
		InputBatch grey = ImageGeometry.shared().toModelInput(ImageFrames.of(new ImagePlus("rgb", cp)), mnist,
			IntensityScaling.UNIT);
		assertEquals(60 / 255f, grey.data()[0], 1e-6f);
	}

	@Test
	void minmaxAndPercentileScalingUseTheImagesOwnRange() {
		FloatProcessor fp = new FloatProcessor(28, 28);
		for (int i = 0; i < 28 * 28; i++) fp.setf(i, 100 + i);
		ImageFrames frames = ImageFrames.of(new ImagePlus("ramp", fp));
		InputBatch mm = ImageGeometry.shared().toModelInput(frames, mnist, IntensityScaling.MINMAX);
		assertEquals(0, mm.data()[0], 1e-6);
		assertEquals(1, mm.data()[28 * 28 - 1], 1e-6);
		InputBatch pc = ImageGeometry.shared().toModelInput(frames, mnist, IntensityScaling.PERCENTILE);
		// 1st percentile of 0..783 is 7.83 -> pixel 0 maps below zero, unclipped
		double lo = 0.01 * 783, hi = 0.998 * 783;
		assertEquals((0 - lo) / (hi - lo), pc.data()[0], 1e-5);
		InputBatch none = ImageGeometry.shared().toModelInput(frames, mnist, IntensityScaling.NONE);
		assertEquals(100, none.data()[0], 1e-4);
	}

	@Test
	void largeImagesAreResizedWithAntialiasingAndMapsComeBackInTheirGeometry() {
		ImagePlus cell = TestData.open(TestData.CELL); // 660x550 8-bit
		InputBatch b = ImageGeometry.shared().toModelInput(ImageFrames.of(cell), malaria, IntensityScaling.UNIT);
		assertEquals(44, b.height());
		assertEquals(44, b.width());
		double mean = 0;
		for (float v : b.data()) mean += v;
		mean /= b.data().length;
		double sourceMean = cell.getStatistics().mean / 255;
		assertEquals(sourceMean, mean, 0.01, "an antialiased downscale keeps the mean intensity");
		// a constant map stays constant; a ramp along x keeps its ends
		float[] maps = new float[44 * 44 * 2];
		for (int y = 0; y < 44; y++) for (int x = 0; x < 44; x++) {
			maps[(y * 44 + x) * 2] = 3;
			maps[(y * 44 + x) * 2 + 1] = x;
		}
		Explanation e = new Explanation("test", maps, 1, 44, 44, 2, new int[1], new int[1], new float[1], new float[1][],
			java.util.Map.of());
		float[] back = ImageGeometry.shared().toSource(e, 660, 550);
		assertEquals(2 * 660 * 550, back.length);
		for (int i = 0; i < 660 * 550; i += 997) assertEquals(3, back[i], 1e-5);
		int row = 660 * 550 + 300 * 660;
		assertTrue(back[row] < 0.5 && back[row + 659] > 42.5, back[row] + " .. " + back[row + 659]);
		assertTrue(back[row + 330] > 21 && back[row + 330] < 22.1, "middle " + back[row + 330]);
	}

	@Test
	void everySliceOfAStackBecomesOneImageOfTheBatch() {
		ImageStack stack = new ImageStack(28, 28);
		for (int z = 0; z < 3; z++) {
			ByteProcessor bp = new ByteProcessor(28, 28);
			bp.set(z, 0, 255);
			stack.addSlice(bp);
		}
		InputBatch b = ImageGeometry.shared().toModelInput(ImageFrames.of(new ImagePlus("stack", stack)), mnist,
			IntensityScaling.UNIT);
		assertEquals(3, b.n());
		for (int z = 0; z < 3; z++) assertEquals(1, b.data()[z * 28 * 28 + z], 1e-6);
	}

	@Test
	void channelsThatCannotBeMappedAreNamed() {
		ImageStack stack = new ImageStack(44, 44);
		stack.addSlice(new ByteProcessor(44, 44));
		stack.addSlice(new ByteProcessor(44, 44));
		ImagePlus twoChannels = new ImagePlus("two", stack);
		twoChannels.setDimensions(2, 1, 1);
		ExplainException e = assertThrows(ExplainException.class, () -> ImageGeometry.shared().toModelInput(ImageFrames
			.of(twoChannels), malaria, IntensityScaling.UNIT));
		assertTrue(e.getMessage().startsWith("The image has 2 channels but the model expects 3"), e.getMessage());
		assertTrue(e.getMessage().contains("RGB") && e.getMessage().contains("channels=1 in a macro"), e.getMessage());
	}

	@Test
	void theSourceImageIsNotTouched() {
		ImagePlus cell = TestData.open(TestData.PARASITIZED);
		int[] before = ((int[]) cell.getProcessor().getPixels()).clone();
		ImageGeometry.shared().toModelInput(ImageFrames.of(cell), malaria, IntensityScaling.PERCENTILE);
		assertArrayEquals(before, (int[]) cell.getProcessor().getPixels());
	}
}
