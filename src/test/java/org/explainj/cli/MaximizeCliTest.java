package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.explainj.maximize.ActivationMaximizer;
import org.explainj.maximize.MaximizeOptions;
import org.explainj.maximize.Prototypes;
import org.explainj.model.ModelCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

/** bin/explainj maximize: the TIFF stack, the objective CSV and the messages. */
class MaximizeCliTest {

	static final Path DIGITS = Path.of("test-images/models/digits-classifier");
	static final Path GENERATOR = Path.of("test-images/models/digits-generator");

	@TempDir
	Path tmp;

	@Test
	void writesTheStackAndTheObjectiveCsv() throws Exception {
		Path tif = tmp.resolve("protos.tif");
		CliTest.Run r = CliTest.run("maximize", "--model", DIGITS.toString(), "--target", "3,7", "--steps", "100",
			"--seed", "2", "--jitter", "1", "--out", tif.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("3: log p ") && r.out().contains("7: log p "), r.out());
		ImagePlus stack = IJ.openImage(tif.toString());
		assertEquals(32, stack.getBitDepth());
		assertEquals(28, stack.getWidth());
		assertEquals(28, stack.getHeight());
		assertEquals(2, stack.getStackSize());
		assertTrue(stack.getStack().getSliceLabel(1).matches("3 p=(0\\.9|1\\.0)\\d+"), stack.getStack().getSliceLabel(1));
		assertTrue(stack.getStack().getSliceLabel(2).matches("7 p=(0\\.9|1\\.0)\\d+"), stack.getStack().getSliceLabel(2));
		Prototypes direct = ActivationMaximizer.maximize(ModelCache.shared().acquire(DIGITS, false).model(), "3,7", MaximizeOptions.defaults()
			.withSteps(100).withSeed(2).withJitter(1));
		assertArrayEquals(direct.images()[0], (float[]) stack.getStack().getPixels(1), "raw values of the same run");
		assertArrayEquals(direct.images()[1], (float[]) stack.getStack().getPixels(2));

		List<String> csv = Files.readAllLines(tmp.resolve("protos_objective.csv"));
		assertEquals("step,3,7", csv.get(0));
		assertEquals(101, csv.size());
		String[] first = csv.get(1).split(","), last = csv.get(100).split(",");
		assertEquals("1", first[0]);
		assertEquals("100", last[0]);
		assertEquals(direct.curves()[1][99], Float.parseFloat(last[2]), 1e-6f);
		assertTrue(Float.parseFloat(last[1]) > Float.parseFloat(first[1]));
	}

	@Test
	void codeSpaceAndMessages() {
		Path tif = tmp.resolve("code.tif");
		CliTest.Run r = CliTest.run("maximize", "--model", DIGITS.toString(), "--target", "5", "--generator", GENERATOR
			.toString(), "--steps", "60", "--out", tif.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().startsWith("code space of "), r.out());
		assertEquals(1, IJ.openImage(tif.toString()).getStackSize());
		assertTrue(Files.exists(tmp.resolve("code_objective.csv")));

		r = CliTest.run("maximize", "--model", DIGITS.toString(), "--target", "five", "--out", tif.toString());
		assertEquals(1, r.code());
		assertTrue(r.err().startsWith("explainj: Unknown target 'five'."), r.err());
		r = CliTest.run("maximize", "--model", DIGITS.toString(), "--target", "5", "--lr", "fast", "--out", tif.toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("--lr must be a number, not 'fast'"), r.err());
		r = CliTest.run("maximize", "--model", DIGITS.toString(), "--target", "5", "--out", tmp.resolve("x.png").toString());
		assertEquals(1, r.code());
		assertTrue(r.err().contains("is not a .tif file"), r.err());
	}

	/** A unit of the output layer (Keras dense + softmax) is its logit, as for explanations. */
	@Test
	void anOutputLayerUnitCanBeMaximised() {
		Path tif = tmp.resolve("unit.tif");
		CliTest.Run r = CliTest.run("maximize", "--model", "test-images/models/mnist-keras", "--target", "dense:3",
			"--steps", "20", "--out", tif.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(Files.exists(tif));
	}
}
