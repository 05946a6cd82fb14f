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
		assertEquals("method,mean_auc,aopc,continuity,continuity_mean,seconds_per_image", csv.get(0));
		assertEquals(4, csv.size());
		assertTrue(csv.get(3).startsWith("random,"), "random ranks last: " + csv);
		for (String line : csv.subList(1, 4)) assertTrue(!line.contains("NaN"), line);
		ImagePlus plot = IJ.openImage(out.resolve("selectivity.png").toString());
		assertTrue(plot.getWidth() > 100);
		assertTrue(Files.exists(out.resolve("continuity.png")));
		CliTest.Run bad = CliTest.run("evaluate", "--model", TestData.MALARIA.toString(), "--images", TestData.MALARIA_IMAGES
			.toString(), "--metric", "beauty", "--out", out.toString());
		assertEquals(1, bad.code());
		assertTrue(bad.err().contains("Unknown metric 'beauty'"), bad.err());
	}
}
