package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.explainj.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;

class EvaluateCliTest {

	@TempDir
	Path tmp;

	@Test
	void evaluateRanksMethodsAndWritesCsvAndPlot() throws Exception {
		Path out = tmp.resolve("eval");
		CliTest.Run r = CliTest.run("evaluate", "--model", TestData.MALARIA.toString(), "--images", TestData.MALARIA_IMAGES
			.toString(), "--methods", "gradient-x-input,deep-taylor,random", "--metric", "all", "--steps", "10", "--out", out
				.toString());
		assertEquals(0, r.code(), r.err());
		List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
		assertEquals("method,mean_auc,aopc,continuity,continuity_mean,seconds_per_image,insertion_auc,mufidelity", csv
			.get(0));
		assertEquals(4, csv.size());
		assertTrue(csv.get(3).startsWith("random,"), "random ranks last: " + csv);
		for (String line : csv.subList(1, 4)) assertTrue(!line.contains("NaN"), line);
		ImagePlus plot = IJ.openImage(out.resolve("selectivity.png").toString());
		assertTrue(plot.getWidth() > 100);
		assertTrue(Files.exists(out.resolve("continuity.png")));
		assertTrue(Files.exists(out.resolve("insertion.png")));
		CliTest.Run bad = CliTest.run("evaluate", "--model", TestData.MALARIA.toString(), "--images", TestData.MALARIA_IMAGES
			.toString(), "--metric", "beauty", "--out", out.toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("Unknown metric 'beauty'"), bad.err());
	}

	/** One metric alone: insertion ranks (higher first) and leaves the other columns NaN. */
	@Test
	void evaluateInsertionAloneRanksByItsAuc() throws Exception {
		Path out = tmp.resolve("insertion");
		CliTest.Run r = CliTest.run("evaluate", "--model", TestData.MALARIA.toString(), "--images", TestData.PARASITIZED
			.toString(), "--methods", "random,integrated-gradients", "--metric", "insertion", "--insertion-steps", "10",
			"--out", out.toString());
		assertEquals(0, r.code(), r.err());
		List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
		String[] first = csv.get(1).split(","), second = csv.get(2).split(",");
		assertTrue(Double.parseDouble(first[6]) >= Double.parseDouble(second[6]), csv.toString());
		assertEquals("NaN", first[1]);
		assertTrue(Files.exists(out.resolve("insertion.png")) && !Files.exists(out.resolve("selectivity.png")));
	}

	@Test
	void sanityWritesTableCurvesAndMontage() throws Exception {
		Path out = tmp.resolve("sanity");
		CliTest.Run r = CliTest.run("sanity", "--model", TestData.MALARIA.toString(), "--images", TestData.PARASITIZED
			.toString(), "--methods", "gradient,guided-backprop", "--out", out.toString());
		assertEquals(0, r.code(), r.err());
		List<String> csv = Files.readAllLines(out.resolve("sanity.csv"));
		assertEquals("method,layer,mode,spearman,ssim,top10,note", csv.get(0));
		// the malaria net has 6 linear layers: 6 cascade + 6 single-layer rows + the random class, per method
		assertEquals(1 + 2 * 13, csv.size());
		assertTrue(IJ.openImage(out.resolve("sanity.png").toString()).getWidth() > 100);
		assertTrue(IJ.openImage(out.resolve("sanity-montage.png").toString()).getWidth() > 7 * 96);
		CliTest.Run bad = CliTest.run("sanity", "--model", TestData.MALARIA.toString(), "--images", TestData.PARASITIZED
			.toString(), "--methods", "nonsense", "--out", out.toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("Unknown method 'nonsense'"), bad.err());
	}

	/** Evaluate says on stderr, as explain does, that a large grey image was squeezed whole into the RGB input. */
	@Test
	void evaluatePrintsTheInputNotes() throws Exception {
		ij.process.ByteProcessor bp = new ij.process.ByteProcessor(200, 60);
		for (int i = 0; i < 200 * 60; i++) bp.set(i, (i * 37) % 256);
		Path image = tmp.resolve("large.png");
		new ij.io.FileSaver(new ImagePlus("large", bp)).saveAsPng(image.toString());
		CliTest.Run r = CliTest.run("evaluate", "--model", TestData.MALARIA.toString(), "--images", image.toString(),
			"--methods", "random", "--metric", "insertion", "--insertion-steps", "2", "--out", tmp.resolve("eval").toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.err().contains("explainj: note: large.png: Warning: the image (200 x 60 pixels) is more than 4 " +
			"times the model's input"), r.err());
		assertTrue(r.err().lines().filter(l -> l.startsWith("explainj: note: large.png: ")).count() >= 2,
			"and the grey image copied into the colour channels: " + r.err());
	}
}
