package org.explainj.maximize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;

import org.explainj.HeadlessCommands;
import org.explainj.ExplainException;
import org.explainj.ij.MaximizeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

import ij.ImagePlus;

/** The Prototypes command as a script or headless Fiji runs it: through CommandService, no dialog. */
class MaximizeCommandTest {

	@RegisterExtension
	static final HeadlessCommands COMMANDS = new HeadlessCommands();

	@Test
	void commandReturnsLabelledStackAndPlot() throws Exception {
		Module module = COMMANDS.run(MaximizeCommand.class, true, "model",
			ActivationMaximizerTest.DIGITS.toFile(), "target", "1,6", "steps", 80, "generator", CodeSpaceTest.GENERATOR
				.toFile()).get();
		ImagePlus stack = (ImagePlus) module.getOutput("prototypes");
		ImagePlus plot = (ImagePlus) module.getOutput("objective");
		assertEquals(32, stack.getBitDepth());
		assertEquals(2, stack.getStackSize());
		assertEquals(2, stack.getNSlices());
		assertTrue(stack.getStack().getSliceLabel(1).matches("1 p=0\\.\\d{4}"), stack.getStack().getSliceLabel(1));
		assertTrue(stack.getStack().getSliceLabel(2).startsWith("6 p="));
		assertTrue(stack.getTitle().contains("code space"), stack.getTitle());
		assertTrue(plot.getWidth() > 100 && plot.getHeight() > 100);
		Prototypes direct = ActivationMaximizer.maximize(ActivationMaximizerTest.digits(), "1,6", MaximizeOptions
			.defaults().withSteps(80).withGenerator(CodeSpaceTest.GENERATOR));
		assertEquals(PrototypeImages.sliceLabel(direct, 1), stack.getStack().getSliceLabel(2));
	}

	@Test
	void badTargetIsOneMessage() {
		ExecutionException e = assertThrows(ExecutionException.class, () -> COMMANDS.run(
			MaximizeCommand.class, true, "model", ActivationMaximizerTest.DIGITS.toFile(), "target", "3,x", "steps", 5)
			.get());
		Throwable cause = e.getCause();
		while (cause != null && !(cause instanceof ExplainException)) cause = cause.getCause();
		assertTrue(cause != null && cause.getMessage().startsWith("Unknown target 'x'."), String.valueOf(e.getCause()));
	}
}
