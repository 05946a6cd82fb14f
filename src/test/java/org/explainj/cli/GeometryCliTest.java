package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.explainj.TestData;
import org.explainj.image.Geometry;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.explainj.job.ExplainResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.RoiEncoder;
import ij.process.ColorProcessor;

/** bin/explainj explain with --geometry tile and --class-map, and with ROIs from --roi and a ROI Manager zip. */
class GeometryCliTest {

	@TempDir
	Path tmp;

	/** A parasitized and an uninfected cell on a black 320 x 160 field, saved as TIFF; their boxes. */
	private Path field(Rectangle[] boxes) {
		ColorProcessor cp = new ColorProcessor(320, 160);
		ImagePlus a = TestData.open(TestData.PARASITIZED), b = TestData.open(TestData.UNINFECTED);
		cp.insert(a.getProcessor(), 10, 10);
		cp.insert(b.getProcessor(), 180, 20);
		boxes[0] = new Rectangle(10, 10, a.getWidth(), a.getHeight());
		boxes[1] = new Rectangle(180, 20, b.getWidth(), b.getHeight());
		Path file = tmp.resolve("field.tif");
		IJ.saveAsTiff(new ImagePlus("field", cp), file.toString());
		return file;
	}

	@Test
	void tileWritesTheMosaicAndAClassMapWithTheTopClass() {
		Path image = field(new Rectangle[2]), out = tmp.resolve("map.tif"), classes = tmp.resolve("classes.tif");
		CliTest.Run r = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", image.toString(), "--method",
			"grad-cam", "--out", out.toString(), "--geometry", "tile", "--window", "140", "--window-stride", "90",
			"--class-map", classes.toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.out().contains("tiles of 140 x 140 pixels, stride 90 x 90: top class"), r.out());
		assertTrue(r.out().contains("of 6 windows"), "3 x 2 windows, the last ones flush: " + r.out());
		ImagePlus map = IJ.openImage(out.toString()), classMap = IJ.openImage(classes.toString());
		assertEquals(320, map.getWidth());
		assertEquals(160, map.getHeight());
		assertEquals(2, classMap.getStackSize(), "probability and top class");
		float[] p = (float[]) classMap.getStack().getProcessor(1).getPixels();
		float[] top = (float[]) classMap.getStack().getProcessor(2).getPixels();
		// the middle of the parasitized cell: its nearest window is the first, which holds the cell
		assertEquals(0, top[70 * 320 + 60], "infected (class 0) at the parasitized cell");
		assertTrue(p[70 * 320 + 60] > 0.5f && p[70 * 320 + 60] <= 1f, "p " + p[70 * 320 + 60]);
	}

	@Test
	void roisFromTheCommandLineAndFromAZipGiveTheSameMaps() throws IOException {
		Rectangle[] boxes = new Rectangle[2];
		Path image = field(boxes), zip = tmp.resolve("RoiSet.zip");
		try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o)) {
			for (int i = 0; i < 2; i++) {
				z.putNextEntry(new ZipEntry("cell" + i + ".roi"));
				z.write(RoiEncoder.saveAsByteArray(new Roi(boxes[i])));
				z.closeEntry();
			}
		}
		Path fromZip = tmp.resolve("zip.tif"), fromArgs = tmp.resolve("args.tif");
		CliTest.Run a = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", image.toString(),
			"--method", "gradient", "--out", fromZip.toString(), "--rois", zip.toString());
		assertEquals(0, a.code(), a.err());
		assertTrue(a.out().contains("ROI 1 (x 10, y 10, 115 x 139 pixels): infected: logit"), a.out());
		assertTrue(a.out().contains("ROI 2 (x 180, y 20, 124 x 112 pixels): uninfected: logit"), a.out());
		CliTest.Run b = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", image.toString(),
			"--method", "gradient", "--out", fromArgs.toString(), "--roi", "10,10,115,139", "--roi", "180,20,124,112");
		assertEquals(0, b.code(), b.err());
		float[] zipMap = (float[]) IJ.openImage(fromZip.toString()).getProcessor().getPixels();
		assertArrayEquals(zipMap, (float[]) IJ.openImage(fromArgs.toString()).getProcessor().getPixels(), 0f);
		// and the same as the job's roi geometry on the image itself
		ExplainResult job = ExplainJob.run(IJ.openImage(image.toString()), ExplainOptions.defaults(TestData.MALARIA,
			"gradient").withGeometry(new Geometry(Geometry.Kind.ROI, 0, 0, List.of(new Roi(boxes[0]), new Roi(boxes[1])))));
		assertArrayEquals(job.map(0, 0), zipMap, 0f);
	}

	@Test
	void aLargeImageUnderAutoGetsTheWarningOnStderr() {
		Path image = field(new Rectangle[2]);
		CliTest.Run r = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", image.toString(),
			"--method", "gradient", "--out", tmp.resolve("m.tif").toString());
		assertEquals(0, r.code(), r.err());
		assertTrue(r.err().contains("explainj: note: Warning: the image (320 x 160 pixels) is more than 4 times"), r.err());
		CliTest.Run fit = CliTest.run("explain", "--model", TestData.MALARIA.toString(), "--image", image.toString(),
			"--method", "gradient", "--out", tmp.resolve("m2.tif").toString(), "--geometry", "fit");
		assertEquals("", fit.err());
	}

	/** Evaluate on two ROIs of one field scores the same as on the two crops saved as images of their own. */
	@Test
	void evaluateOnRoisEqualsEvaluateOnTheCrops() throws IOException {
		Rectangle[] boxes = new Rectangle[2];
		Path image = field(boxes), crops = Files.createDirectories(tmp.resolve("crops"));
		ImagePlus imp = IJ.openImage(image.toString());
		for (int i = 0; i < 2; i++) {
			imp.setRoi(boxes[i]);
			IJ.saveAsTiff(imp.crop(), crops.resolve("crop" + i + ".tif").toString());
		}
		String[] common = { "--methods", "gradient-x-input,grad-cam", "--metric", "selectivity", "--steps", "5" };
		Path a = tmp.resolve("a"), b = tmp.resolve("b");
		CliTest.Run onRois = CliTest.run(concat(new String[] { "evaluate", "--model", TestData.MALARIA.toString(),
			"--images", image.toString(), "--out", a.toString(), "--roi", "10,10,115,139", "--roi", "180,20,124,112" },
			common));
		assertEquals(0, onRois.code(), onRois.err());
		CliTest.Run onCrops = CliTest.run(concat(new String[] { "evaluate", "--model", TestData.MALARIA.toString(),
			"--images", crops.toString(), "--out", b.toString() }, common));
		assertEquals(0, onCrops.code(), onCrops.err());
		List<String> x = Files.readAllLines(a.resolve("comparison.csv")), y = Files.readAllLines(b.resolve("comparison.csv"));
		assertEquals(y.size(), x.size());
		for (int i = 0; i < x.size(); i++) {
			// method, AUC, AOPC agree; the time per image does not
			String[] u = x.get(i).split(","), v = y.get(i).split(",");
			assertEquals(v[0] + "," + v[1] + "," + v[2], u[0] + "," + u[1] + "," + u[2]);
		}
		CliTest.Run tile = CliTest.run("evaluate", "--model", TestData.MALARIA.toString(), "--images", image.toString(),
			"--out", tmp.resolve("c").toString(), "--geometry", "tile");
		assertEquals(1, tile.code());
		assertTrue(tile.err().contains("Evaluate takes geometry fit or roi, not tile."), tile.err());
	}

	private static String[] concat(String[] a, String[] b) {
		String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}
}
