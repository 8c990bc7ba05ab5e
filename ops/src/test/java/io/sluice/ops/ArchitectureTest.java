package io.sluice.ops;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import io.sluice.engine.runtime.Engine;
import io.sluice.engine.window.ArchitectureViolationFixture;

/**
 * The package diagram of docs/architecture.md as rules over the compiled classes of every module on
 * this module's class path (schema, journal, engine, client, loadgen, dashboard, kafka, ops; the cdc module
 * builds on ops and is not on its class path): no class depends on a
 * package of a higher layer, siblings of one layer do not depend on each other, the client never
 * depends on the engine, and within ops only the demo package uses the load generator.
 */
class ArchitectureTest
{
    /**
     * The layers, lowest first; packages of one layer are siblings and must not depend on each other.
     * A package may depend only on packages of lower layers (and on itself).
     */
    static final String[][] LAYERS = {
        { "io.sluice.engine.exceptions.." },
        { "io.sluice.schema..", "io.sluice.journal.." },
        { "io.sluice.engine.time..", "io.sluice.engine.state.." },
        { "io.sluice.engine.window..", "io.sluice.engine.join.." },
        { "io.sluice.engine.pipeline.." },
        { "io.sluice.engine.exec.." },
        { "io.sluice.engine.config..", "io.sluice.engine.checkpoint..", "io.sluice.engine.counters.." },
        { "io.sluice.engine.runtime..", "io.sluice.engine.io.." },
        { "io.sluice.loadgen..", "io.sluice.dashboard..", "io.sluice.kafka.." },
        { "io.sluice.ops.cli.." },
        { "io.sluice.ops.tools..", "io.sluice.ops.jmx..", "io.sluice.ops.stat.." },
        { "io.sluice.ops.daemon.." },
        { "io.sluice.ops.net..", "io.sluice.ops.demo.." },
        { "io.sluice.ops" },
    };

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.sluice");

    @Test
    void shouldImportTheClassesOfEveryModule()
    {
        for (final String module : List.of("io.sluice.schema", "io.sluice.journal", "io.sluice.engine.runtime", "io.sluice.client",
            "io.sluice.loadgen", "io.sluice.dashboard", "io.sluice.kafka", "io.sluice.ops.demo"))
        {
            assertThat(PRODUCTION.stream().anyMatch(c -> c.getPackageName().startsWith(module)))
                .as("classes of %s are imported", module).isTrue();
        }
    }

    @Test
    void shouldNeverDependOnAHigherLayerOrASibling()
    {
        final List<String> violations = new ArrayList<>();
        for (final ArchRule rule : layerRules())
        {
            final EvaluationResult result = rule.evaluate(PRODUCTION);
            if (result.hasViolation())
            {
                violations.addAll(result.getFailureReport().getDetails());
            }
        }
        assertThat(violations).as("imports that break the layers of docs/architecture.md").isEmpty();
    }

    @Test
    void shouldKeepTheClientFreeOfEngineJournalAndOps()
    {
        noClasses().that().resideInAPackage("io.sluice.client..")
            .should().dependOnClassesThat().resideInAnyPackage("io.sluice.engine..", "io.sluice.journal..", "io.sluice.ops..",
                "io.sluice.loadgen..")
            .check(PRODUCTION);
    }

    @Test
    void shouldConfineTheLoadGeneratorToTheDemoCommands()
    {
        noClasses().that().resideInAPackage("io.sluice.ops..").and().resideOutsideOfPackage("io.sluice.ops.demo..")
            .should().dependOnClassesThat().resideInAPackage("io.sluice.loadgen..")
            .check(PRODUCTION);
    }

    @Test
    void shouldCatchAnOperatorThatReachesUpIntoTheRuntime()
    {
        final JavaClasses withViolation = new ClassFileImporter().importClasses(ArchitectureViolationFixture.class, Engine.class);
        final boolean caught = layerRules().stream().anyMatch(rule -> rule.evaluate(withViolation).hasViolation());
        assertThat(caught).as("the layer rules see a window class importing the engine runtime").isTrue();
    }

    private static List<ArchRule> layerRules()
    {
        final List<ArchRule> rules = new ArrayList<>();
        for (int i = 0; i < LAYERS.length; i++)
        {
            final List<String> higher = new ArrayList<>();
            for (int j = i + 1; j < LAYERS.length; j++)
            {
                higher.addAll(Arrays.asList(LAYERS[j]));
            }
            for (final String layerPackage : LAYERS[i])
            {
                final List<String> forbidden = new ArrayList<>(higher);
                for (final String sibling : LAYERS[i])
                {
                    if (!sibling.equals(layerPackage))
                    {
                        forbidden.add(sibling);
                    }
                }
                if (!forbidden.isEmpty())
                {
                    rules.add(noClasses().that().resideInAPackage(layerPackage)
                        .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(new String[0]))
                        .allowEmptyShould(true));
                }
            }
        }
        return rules;
    }
}
