package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.explainj.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ColorProcessor;

/**
 * Memory bounds measured in JVMs of their own (the peak resident set, VmHWM, of a {@link RssProbe}):
 * the batch size bounds integrated gradients and SmoothGrad whatever the steps or samples, a parameter
 * sweep does not grow the process, and a huge image is explained in bounded memory.
 */
class MemoryBoundsTest {

	static final long MB = 1024;

	@TempDir
	Path dir;

	static String probe(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
			"-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), RssProbe.class.getName()));
		command.addAll(List.of(args));
		ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
		pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
		Process p = pb.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertEquals(0, p.waitFor(), out);
		return out;
	}

	static long number(String out, String regex) {
		Matcher m = Pattern.compile(regex).matcher(out);
		assertTrue(m.find(), regex + " not in: " + out);
		return Long.parseLong(m.group(1));
	}

	long peakOfExplain(String image, String... methodOptions) throws Exception {
		List<String> a = new ArrayList<>(List.of("explain", "--model", TestData.MALARIA.toString(), "--image", image,
			"--out", dir.resolve("map.tif").toString()));
		a.addAll(List.of(methodOptions));
		String out = probe(a.toArray(String[]::new));
		assertTrue(out.contains("exit 0"), out);
		return number(out, "peak-kb (\\d+)");
	}

	@Test
	void integratedGradientsWith5000StepsStaysUnder1GB() throws Exception {
		long peak = peakOfExplain(TestData.PARASITIZED.toString(), "--method", "integrated-gradients", "--steps", "5000",
			"--batch-size", "32");
		assertTrue(peak < 1024 * MB, "peak " + peak / MB + " MB");
	}

	@Test
	void smoothGradWith5000SamplesStaysUnder1GB() throws Exception {
		long peak = peakOfExplain(TestData.PARASITIZED.toString(), "--method", "smoothgrad", "--samples", "5000",
			"--batch-size", "32");
		assertTrue(peak < 1024 * MB, "peak " + peak / MB + " MB");
	}

	@Test
	void anEpsilonSweepDoesNotGrowTheProcess() throws Exception {
		String out = probe("sweep");
		long after50 = number(out, "rss-kb 50 (\\d+)"), after500 = number(out, "rss-kb 500 (\\d+)");
		assertEquals(number(out, "rss-kb 50 \\d+ nodes (\\d+)"), number(out, "rss-kb 500 \\d+ nodes (\\d+)"), out);
		assertTrue(after500 - after50 < 64 * MB, "resident after 50 values " + after50 / MB + " MB, after 500 " +
			after500 / MB + " MB");
	}

	@Test
	void an8000By8000ImageIsExplainedUnder2GB() throws Exception {
		ColorProcessor cp = new ColorProcessor(8000, 8000);
		int[] pixels = (int[]) cp.getPixels();
		for (int i = 0; i < pixels.length; i++) pixels[i] = (i % 8000 * 255 / 8000) << 16 | (i / 8000 * 255 / 8000) << 8 | 128;
		Path image = dir.resolve("huge.tif");
		IJ.saveAsTiff(new ImagePlus("huge", cp), image.toString());
		cp = null;
		pixels = null;
		long peak = peakOfExplain(image.toString(), "--method", "gradient");
		assertTrue(peak < 2048 * MB, "peak " + peak / MB + " MB");
		assertTrue(Files.size(dir.resolve("map.tif")) > 8000L * 8000 * 4, "the map comes back at 8000 x 8000");
	}
}
