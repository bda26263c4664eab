/* The portal's additions to Django's admin (loaded by admin/base_site.html): names for the
   controls that Django and select2 leave unnamed, and keyboard access to regions that
   scroll sideways (WCAG 2.1: 1.3.1, 2.1.1, 4.1.2). No text of its own: every name is
   made from the page's own labels and headings. */
"use strict";
(function () {
    const CONTROLS = "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea";

    function hasName(control) {
        return (control.labels && control.labels.length > 0) ||
            control.hasAttribute("aria-label") ||
            control.hasAttribute("aria-labelledby") ||
            control.hasAttribute("title");
    }

    function text(element) {
        return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
    }

    /* A control in a table cell (list_editable columns, tabular inlines, the DELETE box):
       named after its column's header and its row ("Position (Support contact set)"). */
    function nameTableControls(root) {
        root.querySelectorAll("td " + CONTROLS.split(", ").join(", td ")).forEach((control) => {
            if (hasName(control) || control.closest(".select2-container")) {
                return;
            }
            const cell = control.closest("td");
            const table = cell.closest("table");
            const row = cell.parentElement;
            const headerRow = table && table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
            let header = "";
            if (headerRow) {
                let column = 0;
                for (const other of row.cells) {
                    if (other === cell) {
                        break;
                    }
                    column += other.colSpan || 1;
                }
                let position = 0;
                for (const th of headerRow.cells) {
                    if (position >= column) {
                        header = text(th);
                        break;
                    }
                    position += th.colSpan || 1;
                }
            }
            const rowName = text(row.querySelector("th")) ||
                text(row.querySelector("td.original p")) ||
                text(row.querySelector("td.field-__str__, td a"));
            const name = [header, rowName && "(" + rowName + ")"].filter(Boolean).join(" ");
            if (name) {
                control.setAttribute("aria-label", name);
            }
        });
    }

    /* select2 (the admin's autocomplete) names its combobox after the chosen value only,
       which is empty until something is chosen: name it after the field's label too. */
    function nameSelect2(root) {
        root.querySelectorAll(".select2-container").forEach((container) => {
            const select = container.previousElementSibling;
            if (!select || select.tagName !== "SELECT" || !select.id) {
                return;
            }
            const label = document.querySelector('label[for="' + select.id + '"]');
            if (!label) {
                return;
            }
            if (!label.id) {
                label.id = select.id + "_label";
            }
            container.querySelectorAll(".select2-selection[role=combobox]").forEach((box) => {
                const rendered = box.querySelector(".select2-selection__rendered");
                const ids = [label.id, rendered && rendered.id].filter(Boolean).join(" ");
                if (box.getAttribute("aria-labelledby") !== ids) {
                    box.setAttribute("aria-labelledby", ids);
                }
                if (rendered && rendered.getAttribute("aria-labelledby") !== label.id) {
                    rendered.setAttribute("aria-labelledby", label.id);
                }
            });
        });
    }

    /* The filter icons of the two-list selector carry an aria-label, which a span may not
       have without a role. */
    function fixTooltips(root) {
        root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach((icon) => {
            icon.setAttribute("role", "img");
        });
    }

    function fix(root) {
        nameTableControls(root);
        nameSelect2(root);
        fixTooltips(root);
    }

    /* A region that scrolls sideways (a wide table on a phone) can be reached and
       scrolled with the keyboard, and is named after its heading. */
    function regionName(element) {
        const caption = element.tagName === "TABLE" && element.caption;
        if (caption) {
            return text(caption);
        }
        const module = element.closest(".module, .inline-group, fieldset");
        const heading = module && module.querySelector("h2, h3, legend, caption");
        return text(heading) || text(document.querySelector("#content h1"));
    }

    function markScrollRegions() {
        const content = document.getElementById("content");
        if (!content) {
            return;
        }
        content.querySelectorAll("*").forEach((element) => {
            if (element.matches("input, select, textarea, option")) {
                return;
            }
            const marked = element.getAttribute("data-scroll-region");
            const scrolls = element.scrollWidth > element.clientWidth + 1 &&
                ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
            if (scrolls && marked === null && !element.hasAttribute("tabindex")) {
                const added = ["tabindex"];
                element.setAttribute("tabindex", "0");
                if (element.tagName !== "TABLE" && !element.hasAttribute("role")) {
                    element.setAttribute("role", "region");
                    added.push("role");
                }
                if (!element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
                    element.setAttribute("aria-label", regionName(element));
                    added.push("aria-label");
                }
                element.setAttribute("data-scroll-region", added.join(" "));
            } else if (!scrolls && marked !== null) {
                marked.split(" ").forEach((name) => element.removeAttribute(name));
                element.removeAttribute("data-scroll-region");
            }
        });
    }

    let pending = false;
    function markSoon() {
        if (!pending) {
            pending = true;
            requestAnimationFrame(() => {
                pending = false;
                markScrollRegions();
            });
        }
    }

    new MutationObserver((records) => {
        for (const record of records) {
            for (const node of record.addedNodes) {
                if (node.nodeType === Node.ELEMENT_NODE) {
                    fix(node.parentElement || node);
                }
            }
        }
    }).observe(document.documentElement, {childList: true, subtree: true});

    document.addEventListener("DOMContentLoaded", () => fix(document));
    window.addEventListener("load", () => {
        fix(document);
        markScrollRegions();
    });
    window.addEventListener("resize", markSoon);
})();
