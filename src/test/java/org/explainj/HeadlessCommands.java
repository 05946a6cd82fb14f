package org.explainj;

import java.util.concurrent.Future;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

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

	public Context context() {
		return context;
	}

	/**
	 * Runs a command with its inputs given as name, value pairs, through the ModuleService as a script does:
	 * CommandService.run answers null for a command that is its own module (ExplainCommand, a DynamicCommand).
	 */
	public Future<Module> run(Class<? extends Command> command, boolean process, Object... inputs) {
		return context.service(ModuleService.class).run(context.service(CommandService.class).getCommand(command), process,
			inputs);
	}
}
