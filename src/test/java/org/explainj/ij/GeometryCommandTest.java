package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.util.List;

import org.explainj.HeadlessCommands;
import org.explainj.TestData;
import org.explainj.image.Geometry;
import org.explainj.job.ExplainJob;
import org.explainj.job.ExplainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.scijava.module.Module;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.process.ColorProcessor;

/** The geometry fields of the commands (geometry, window, window_stride), as scripts and macros set them. */
class GeometryCommandTest {

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	private static ImagePlus field() {
		ColorProcessor cp = new ColorProcessor(320, 160);
		cp.insert(TestData.open(TestData.PARASITIZED).getProcessor(), 10, 10);
		cp.insert(TestData.open(TestData.UNINFECTED).getProcessor(), 180, 20);
		return new ImagePlus("field", cp);
	}

	@Test
	void tileGivesAMosaicAClassMapAndOneSummaryRow() throws Exception {
		ImagePlus image = field();
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", "grad-cam", "image", image, "model", TestData.MALARIA.toFile(),
			"target", "infected", "geometry", "tile", "window", 140, "window_stride", 90).get();
		ExplainCommand command = (ExplainCommand) module.getDelegateObject();
		ImagePlus map = (ImagePlus) module.getOutput("map");
		ExplainOptions options = ExplainOptions.defaults(TestData.MALARIA, "grad-cam").withGeometry(new Geometry(
			Geometry.Kind.TILE, 140, 90, List.of()));
		var direct = ExplainJob.run(image, new ExplainOptions(options.model(), options.method(), new org.explainj.methods
			.Target("infected"), options.score(), options.scaling(), null, options.batchSize(), java.util.Map.of("layer",
				"auto", "resolution", "input"), false, null, options.geometry()));
		assertArrayEquals(direct.map(0, 0), (float[]) map.getProcessor().getPixels(), 1e-6f);
		assertArrayEquals((float[]) direct.classMapImage().getProcessor().getPixels(), (float[]) command.classMap
			.getProcessor().getPixels(), 1e-6f);
		ResultsTable table = command.results;
		assertEquals("6", table.getStringValue("Windows", table.size() - 1));
		assertTrue(table.getStringValue("Region", table.size() - 1).startsWith("tiles of 140 x 140 pixels"));
	}

	@Test
	void aSelectionUnderAutoIsExplainedAndNoted() throws Exception {
		ImagePlus image = field();
		image.setRoi(new Roi(new Rectangle(10, 10, 115, 139)));
		Module module = COMMANDS.run(ExplainCommand.class, true, "method", "saliency", "image", image, "model",
			TestData.MALARIA.toFile()).get();
		ExplainCommand command = (ExplainCommand) module.getDelegateObject();
		ResultsTable table = command.results;
		assertTrue(table.getStringValue("Region", table.size() - 1).startsWith("ROI 1 (x 10, y 10, 115 x 139"));
		assertTrue(table.getStringValue("Notes", table.size() - 1).contains("was explained (geometry roi)"));
		assertNull(command.classMap);
	}
}
