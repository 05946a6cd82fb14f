package org.explainj;

import java.util.concurrent.Future;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/**
 * ExplainJ's SciJava commands run headless, as scripts run them: one context per test class, made before
 * its tests and disposed after them ({@code @RegisterExtension static final HeadlessCommands COMMANDS}).
 */
public final class HeadlessCommands implements BeforeAllCallback, AfterAllCallback {

	private Context context;

	@Override
	public void beforeAll(ExtensionContext extension) {
		System.setProperty("java.awt.headless", "true");
		context = new Context(CommandService.class);
	}

	@Override
	public void afterAll(ExtensionContext extension) {
		context.dispose();
	}

	/** Runs a command with its inputs given as name, value pairs. */
	public Future<CommandModule> run(Class<? extends Command> command, boolean process, Object... inputs) {
		return context.service(CommandService.class).run(command, process, inputs);
	}
}
