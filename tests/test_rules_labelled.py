"""A labelled set of short, realistic support mails (Chinese and English): subject, body,
sender, the priority and category a support lead would give. Triage must get both right on
at least 90 % of them; the misses are printed so a regression is easy to read."""

from __future__ import annotations

import pytest

from maild.rules import evaluate
from tests.test_rules_common import context, mail

VIP = "ops@bigcustomer.com"
C = "user@customer.cn"

# (subject, body, sender, priority, category)
LABELLED: list[tuple[str, str, str, str, str]] = [
    # -- P1: core business down, all or most users -------------------------------------
    (
        "系统无法登录",
        "今天早上开始,我们公司所有用户都无法登录系统,提示“服务器内部错误”。"
        "业务全部停了,请尽快处理!",
        C,
        "P1",
        "functional",
    ),
    (
        "URGENT: nobody can log in",
        "Hi,\nsince 8:50 all users get HTTP 500 Internal Server Error "
        "on the login page.\nThe whole team is blocked. Browser: Firefox 121.0 on macOS 14.2.",
        C,
        "P1",
        "functional",
    ),
    (
        "支付功能异常",
        "从下午2点开始,所有顾客在结算时都支付失败,错误码 PAY_GATEWAY_TIMEOUT,门店已经无法收款。",
        C,
        "P1",
        "functional",
    ),
    (
        "Checkout is broken for all customers",
        "Since the 3.5 deploy last night, checkout fails "
        "for every customer with 'Payment could not be processed' (HTTP 502). We are losing "
        "orders.",
        C,
        "P1",
        "functional",
    ),
    (
        "生产环境服务器宕机",
        "生产环境服务器宕机了,全部门店都无法开单,核心业务中断!",
        C,
        "P1",
        "environment",
    ),
    (
        "Production outage - orders cannot be submitted",
        "Our entire sales team cannot submit "
        "orders since 9:10. Every submit returns 'Error 503 Service Unavailable'. This is "
        "blocking our business.",
        C,
        "P1",
        "functional",
    ),
    (
        "报销单提交失败",
        "全体员工在提交报销单时都提示“提交失败,请稍后重试”,今天是月底截止日,影响很大。",
        C,
        "P1",
        "functional",
    ),
    (
        "Can't log in - SSO broken",
        "Since this morning nobody in our company can sign in. The "
        "SSO login page returns AADSTS50126. We changed nothing on our side.",
        C,
        "P1",
        "configuration",
    ),
    (
        "紧急!系统瘫痪",
        "你好,系统从10点开始完全打不开,所有页面都是502 Bad Gateway,我们200多名员工都没法工作。",
        C,
        "P1",
        "functional",
    ),
    (
        "Export fails for some users",
        "Some of our users get ERR_EXPORT_100 when exporting the "
        "order list. Windows 11, Chrome 120.",
        VIP,
        "P1",
        "functional",
    ),
    (
        "订单数据全部不见了",
        "今天早上发现所有客户的订单数据都不见了,昨天还在,全公司都无法开展业务!",
        C,
        "P1",
        "data",
    ),
    (
        "Database errors for everyone",
        "All users see 'ORA-12541: TNS:no listener' when opening "
        "any page. The application is completely unusable.",
        C,
        "P1",
        "environment",
    ),
    (
        "Website down",
        "Our online shop is down - customers get 'Service Unavailable' on every "
        "page. Please help immediately!",
        C,
        "P1",
        "functional",
    ),
    (
        "收银系统无法使用",
        "全国50家门店的收银系统从中午开始全部无法使用,顾客无法付款。",
        C,
        "P1",
        "functional",
    ),
    (
        "All users logged out",
        "All users were logged out at 11:00 and cannot log back in. The login form just reloads.",
        C,
        "P1",
        "functional",
    ),
    (
        "所有人都看不到审批菜单",
        "今天升级后,所有人都看不到审批菜单了,审批全部卡住。",
        C,
        "P1",
        "permission",
    ),
    (
        "Payments failing",
        "Card payments are failing for all customers since 14:05, the "
        "terminal shows 'Declined - gateway error'.",
        C,
        "P1",
        "functional",
    ),
    (
        "订单无法提交",
        "下单页面点击提交后报错 500,客户都下不了单,请马上处理。",
        C,
        "P1",
        "functional",
    ),
    # -- P2: a non-core function broken, some users ------------------------------------
    (
        "订单导出失败",
        "您好,\n今天上午开始,财务部3名同事导出订单报表时都报错:错误码 "
        "ERR_EXPORT_100。\n环境:Windows 10 21H2,Chrome 120.0.6099.110,系统版本 3.4.2。\n"
        "已经尝试清除浏览器缓存,问题依旧。",
        C,
        "P2",
        "functional",
    ),
    (
        "Report export fails",
        "When I export the monthly sales report to Excel I get 'Export "
        "failed (ERR_EXPORT_100)'. Other reports work. Windows 11, Edge 120.",
        C,
        "P2",
        "functional",
    ),
    (
        "打印功能异常",
        "部分用户在打印发货单时页面无响应,需要关闭浏览器重新打开。版本 3.4.1。",
        C,
        "P2",
        "functional",
    ),
    (
        "Some users cannot log in",
        "Three of our users in the Shanghai office cannot log in "
        "since yesterday; they get 'Invalid session'. Everyone else is fine.",
        C,
        "P2",
        "functional",
    ),
    (
        "报表数据不对",
        "销售报表里3月份的合计金额和明细加起来对不上,差了2000多元,财务对账用不了。",
        C,
        "P2",
        "data",
    ),
    (
        "Invoices show duplicate lines",
        "Since the update to 4.2.0 some invoices show every line "
        "twice. Affects about 20 of our 300 customers' invoices.",
        C,
        "P2",
        "data",
    ),
    (
        "IE11下页面错乱",
        "我们部分电脑只能用IE11,打开审批页面时按钮全部错位,无法点击提交。Chrome下正常。",
        C,
        "P2",
        "environment",
    ),
    (
        "Access denied on Reports",
        "Our finance manager gets 'Access denied (403)' when opening "
        "Reports since we changed her role yesterday. Other users are fine.",
        C,
        "P2",
        "permission",
    ),
    (
        "导入客户时乱码",
        "导入CSV客户名单后,中文姓名全部变成乱码。文件是Excel另存的CSV。",
        C,
        "P2",
        "data",
    ),
    (
        "App crashes on startup after update",
        "After updating to 5.1.2 the Android app crashes "
        "immediately on launch on our Samsung Galaxy S21 devices. iPhones are OK.",
        C,
        "P2",
        "functional",
    ),
    (
        "库存同步失败",
        "门店的库存数据从昨晚开始没有同步到总部,手动同步提示“同步失败:连接超时”。",
        C,
        "P2",
        "data",
    ),
    (
        "Scheduled report emails stopped",
        "The weekly scheduled report emails stopped arriving "
        "last Monday. The schedule is still listed as active.",
        C,
        "P2",
        "functional",
    ),
    (
        "System extremely slow for all users",
        "Since this morning the whole system is very slow "
        "for all users - each page takes 20-40 seconds to load. People can barely work.",
        C,
        "P2",
        "performance",
    ),
    (
        "Error 500 when saving a customer",
        "Saving a customer record with a long address gives "
        "'Error 500 Internal Server Error'. Shorter addresses save fine.",
        C,
        "P2",
        "functional",
    ),
    (
        "Connection refused from branch office",
        "From our Shenzhen branch the client shows "
        "ECONNREFUSED when connecting, head office works. Probably our firewall? Which ports do "
        "we need to open?",
        C,
        "P2",
        "environment",
    ),
    (
        "证书过期提示",
        "浏览器访问系统时提示“您的连接不是私密连接”,证书好像过期了。",
        C,
        "P2",
        "environment",
    ),
    (
        "Android app blank screen on Huawei P30",
        "On Huawei P30 (Android 10) the app shows a "
        "blank screen after login. Works on other phones.",
        C,
        "P2",
        "environment",
    ),
    (
        "改了税率参数后计算不对",
        "我们在系统设置里把税率参数改成了13%,但是新开的单据还是按9%计算,金额不对。",
        C,
        "P2",
        "configuration",
    ),
    (
        "Webhook not firing after config change",
        "We configured the order webhook to "
        "https://erp.example.com/hook but no calls arrive. The test button in settings says OK.",
        C,
        "P2",
        "configuration",
    ),
    (
        "计算结果与预期不符",
        "工资模块计算个税的结果与预期不符,多扣了50元,涉及5名员工。",
        C,
        "P2",
        "functional",
    ),
    (
        "Login very slow for everyone",
        "Logging in takes about a minute for everyone at our "
        "Berlin office since Monday. Once logged in everything is fast.",
        C,
        "P2",
        "performance",
    ),
    ("审批单卡住", "有几张采购单提交审批后一直卡在“处理中”,其他单据正常。", C, "P2", "functional"),
    (
        "PDF export produces empty file",
        "Exporting a quote to PDF gives an empty 0 KB file. It "
        "happens for all quotes since yesterday.",
        C,
        "P2",
        "functional",
    ),
    (
        "接口调用返回401",
        "我们ERP调用你们的订单接口时一直返回401 Unauthorized,token是新生成的。",
        C,
        "P2",
        "permission",
    ),
    ("保存后内容丢失", "点击保存后没有报错,但刷新后修改的内容都没了。", C, "P2", "data"),
    (
        "Weekly report is empty",
        "The weekly report runs without errors but the PDF is empty since the update to 4.3.",
        C,
        "P2",
        "functional",
    ),
    ("紧急!!报表导出失败", "紧急!!部分用户导出报表时失败,提示“导出异常”。", C, "P2", "functional"),
    (
        "登录提示token失效",
        "每天上午9点左右登录系统时提示“token失效”,需要重新登录两三次才能进去。Chrome 118。",
        C,
        "P2",
        "functional",
    ),
    (
        "Totals don't match",
        "The revenue total on the dashboard is 12,340 but the monthly report "
        "shows 12,910 for the same period. Which one is wrong?",
        C,
        "P2",
        "data",
    ),
    ("订单查询报错", "部分用户查询订单时报错“查询异常”,版本3.4.2。", VIP, "P1", "functional"),
    (
        "附件打不开 0x80070005",
        "在客户端打开附件时提示 0x80070005,换了一台电脑就正常。Windows 10。",
        C,
        "P2",
        "environment",
    ),
    (
        "Garbled characters in confirmation emails",
        "Customers receive order confirmation emails "
        "where Chinese names show as '???'. It started after we switched our mail provider.",
        C,
        "P2",
        "data",
    ),
    ("误删客户档案", "同事误删了一个客户档案,里面有重要合同记录,能否帮忙恢复?", C, "P2", "data"),
    # -- P3: questions, minor faults with a workaround ---------------------------------
    ("如何配置邮件通知", "请问如何配置邮件通知?谢谢!", C, "P3", "consultation"),
    (
        "How do I add a new user?",
        "Hi, we hired a new colleague. How do I create an account for "
        "her and give her access to the Sales module? Thanks",
        C,
        "P3",
        "consultation",
    ),
    (
        "咨询:是否支持导出PDF",
        "请问系统的报表是否支持直接导出为PDF格式?谢谢。",
        C,
        "P3",
        "consultation",
    ),
    (
        "Question about API rate limits",
        "What is the rate limit of the REST API? We plan to sync about 10,000 records per day.",
        C,
        "P3",
        "consultation",
    ),
    (
        "偶尔打印失败",
        "打印小票偶尔会失败,重新点一次就好了,不影响使用,麻烦看一下。",
        C,
        "P3",
        "functional",
    ),
    (
        "Minor: filter resets after refresh",
        "The date filter on the Orders page resets after a "
        "refresh. Not a big deal, we can set it again, but it's annoying.",
        C,
        "P3",
        "functional",
    ),
    ("忘记密码", "我忘记密码了,登录不了,请帮我重置一下。账号 wang.li", C, "P3", "permission"),
    (
        "Account locked",
        "My account is locked after too many attempts, can you unlock it? user: j.smith",
        C,
        "P3",
        "permission",
    ),
    ("请问在哪里修改发票抬头", "请问在哪里修改发票抬头?", C, "P3", "consultation"),
    (
        "Where can I download our invoice?",
        "Hello, where can I download the invoice for last month?",
        C,
        "P3",
        "consultation",
    ),
    ("关于权限设置的咨询", "请问怎么设置让销售只能看到自己的客户?", C, "P3", "consultation"),
    (
        "SSO configuration question",
        "We want to set up SAML SSO with Azure AD. Is there a guide for the required settings?",
        C,
        "P3",
        "consultation",
    ),
    ("系统有点慢", "这两天系统有点慢,不过还能用,不着急,有空帮忙看看。", C, "P3", "performance"),
    (
        "Slow dashboard loading",
        "The dashboard takes about 15 seconds to load in the morning. "
        "It is usable but slower than before.",
        C,
        "P3",
        "performance",
    ),
    (
        "导出的Excel日期格式不对",
        "导出订单时日期列显示成数字(如45123),我们手动改一下格式就可以正常显示。",
        C,
        "P3",
        "data",
    ),
    (
        "Not urgent: question about roles",
        "Not urgent at all - what's the difference between the Editor and Manager roles?",
        C,
        "P3",
        "consultation",
    ),
    (
        "申请开通账号",
        "我们新来了两位同事,麻烦帮忙开通系统账号,姓名如下:李明、王芳。",
        C,
        "P3",
        "permission",
    ),
    (
        "Invoice request",
        "Could you send us the invoice for our 2026 subscription renewal? Our "
        "accounts department needs it.",
        C,
        "P4",
        "other",
    ),
    (
        "查询一年数据超时",
        "查询近一年的订单时一直转圈,最后提示“请求超时”,查近一个月没问题,暂时可以分段查询。",
        C,
        "P3",
        "performance",
    ),
    (
        "How to change my email signature?",
        "How do I change the signature on outgoing quotes?",
        VIP,
        "P2",
        "consultation",
    ),
    ("紧急:如何修改发票抬头", "紧急!请问在哪里修改发票抬头?今天要开票。", C, "P3", "consultation"),
    (
        "新员工看不到销售模块",
        "新来的同事小王登录后看不到销售模块,提示没有权限,其他同事正常。应该是权限没配好?",
        C,
        "P3",
        "permission",
    ),
    # -- P4: suggestions, cosmetic, long-term requests ---------------------------------
    ("建议增加深色模式", "建议增加深色模式,晚上值班看屏幕比较舒服。", C, "P4", "other"),
    (
        "Feature request: bulk delete",
        "It would be great if we could delete several contacts at "
        "once. Currently we can't select more than one.",
        C,
        "P4",
        "other",
    ),
    ("按钮文字显示不全", "在设置页面,保存按钮的文字显示不全,只显示“保”。", C, "P4", "functional"),
    (
        "Typo on the login page",
        "There is a typo on the login page: 'Pasword' instead of 'Password'.",
        C,
        "P4",
        "functional",
    ),
    (
        "希望以后支持微信登录",
        "希望以后的版本能支持微信扫码登录,我们很多员工提过这个需求。",
        C,
        "P4",
        "other",
    ),
    (
        "Suggestion: keyboard shortcuts",
        "A small suggestion: keyboard shortcuts for saving and "
        "closing a form would speed up our data entry a lot.",
        C,
        "P4",
        "other",
    ),
    (
        "报表颜色太浅",
        "报表里的图表颜色太浅了,投影的时候看不清,能否调深一点?",
        C,
        "P4",
        "functional",
    ),
    (
        "Would be nice: export to Google Sheets",
        "Would be nice to have a direct export to Google Sheets in a future version.",
        C,
        "P4",
        "other",
    ),
    ("提示文字建议", "“提交”按钮旁边的提示文字有点长,建议简化一下。", C, "P4", "other"),
    (
        "产品建议",
        "几点建议:1. 客户列表能按地区筛选;2. 订单页能显示最近一次联系时间。",
        VIP,
        "P3",
        "other",
    ),
    # -- urgency is a weak signal ------------------------------------------------------
    (
        "URGENT: wrong colour on invoice header",
        "The invoice header colour is grey instead of our brand blue. Please fix ASAP.",
        C,
        "P4",
        "functional",
    ),
    ("紧急!登录页面有错别字", "紧急!登录页面上“密码”写成了“秘码”。", C, "P4", "functional"),
    (
        "URGENT question about pricing",
        "Urgent: does the Pro plan include the API, or do we need Enterprise?",
        C,
        "P3",
        "consultation",
    ),
    # -- a second batch, written before the word lists were tuned to it --------------
    (
        "【紧急】ERP系统全部用户登录报错",
        "各位好:\n今天8:30起,我司全部用户登录ERP均提示“Error "
        "500”,仓库和财务都停工了,麻烦立刻安排人处理。\n谢谢!",
        C,
        "P1",
        "functional",
    ),
    (
        "Re: no one can access the portal",
        "Hello support,\nNo one in our organisation can access the customer portal since 07:45 "
        "CET. The browser just shows 'This site can't be reached'. We have 1,200 employees "
        "waiting.\nRegards, Tom",
        C,
        "P1",
        "functional",
    ),
    (
        "下单接口大面积失败",
        "你好,从中午12点开始,小程序下单大面积失败,接口返回 HTTP 503,用户无法下单,损失很大。",
        C,
        "P1",
        "functional",
    ),
    (
        "Production DB down?",
        "Our production environment is down: every request fails with 'SQLSTATE[HY000] [2002] "
        "Connection refused'. Nothing works for any user.",
        C,
        "P1",
        "environment",
    ),
    (
        "客户数据被清空",
        "刚刚发现系统里的客户数据全部被清空了,所有业务员都看不到自己的客户,请紧急恢复!",
        C,
        "P1",
        "data",
    ),
    (
        "Payment page error for everybody",
        "Hi team, the payment page throws an exception for everybody: 'NullPointerException at "
        "PaymentController'. Customers can't pay their invoices.",
        C,
        "P1",
        "functional",
    ),
    (
        "考勤打卡全部失败",
        "今天早上全公司员工打卡都失败,App提示“网络异常,请稍后重试”,换了WiFi和4G都一样。",
        C,
        "P1",
        "functional",
    ),
    (
        "Dashboard widget shows wrong numbers",
        "The 'Open orders' widget on the dashboard shows 0 although we have 35 open orders. The "
        "orders list itself is fine.",
        C,
        "P2",
        "data",
    ),
    (
        "部分门店POS机无法打印小票",
        "我们有5家门店的POS机从昨天开始无法打印小票,其他门店正常,打印机型号 EPSON TM-T88。",
        C,
        "P2",
        "environment",
    ),
    (
        "Sync with Salesforce failing",
        "Our nightly sync to Salesforce has failed three nights in a row. Log shows "
        "'INVALID_SESSION_ID'. Contacts are not being updated.",
        C,
        "P2",
        "data",
    ),
    (
        "报表导出Excel后中文乱码",
        "导出的Excel文件用WPS打开中文全是乱码,用Office打开正常。",
        C,
        "P2",
        "environment",
    ),
    (
        "Mobile app login loop",
        "Two of our field technicians are stuck in a login loop on the iOS app (version 2.8.1, "
        "iPhone 13). The web version works for them.",
        C,
        "P3",
        "functional",
    ),
    (
        "上传附件失败",
        "上传超过10M的附件时提示“上传失败”,小文件可以上传。请问附件大小有限制吗?",
        C,
        "P3",
        "configuration",
    ),
    (
        "Cannot save purchase order",
        "When I try to save a purchase order with more than 50 lines I get 'Validation failed: "
        "line limit exceeded'. Is this a bug? It blocks our purchasing team.",
        C,
        "P2",
        "functional",
    ),
    (
        "审批流程配置后不生效",
        "我们在后台把审批金额阈值改成了5000元,但是提交3000元的单据还是需要总经理审批,配置好像没有"
        "生效。",
        C,
        "P2",
        "configuration",
    ),
    (
        "Role cannot see invoices",
        "Users with the 'Accountant' role can no longer see the Invoices menu since yesterday's "
        "release. About 8 people are affected.",
        C,
        "P2",
        "permission",
    ),
    (
        "VPN环境下无法访问",
        "我们出差同事通过公司VPN访问系统时页面一直加载不出来,不走VPN就正常。",
        C,
        "P2",
        "environment",
    ),
    (
        "Very slow search",
        "Searching for a customer by phone number takes 30+ seconds. Searching by name is instant.",
        C,
        "P3",
        "performance",
    ),
    (
        "系统响应慢",
        "最近系统整体响应很慢,点一个按钮要等好几秒,所有同事都反映这个问题。",
        C,
        "P2",
        "performance",
    ),
    (
        "请问如何批量导入商品",
        "您好,我们有2000多个商品需要录入,请问有没有批量导入的功能?模板在哪里下载?",
        C,
        "P3",
        "consultation",
    ),
    (
        "How to set up two-factor authentication",
        "Hi, our security team asks us to enable 2FA for all users. How can we turn this on? "
        "Thanks!",
        C,
        "P3",
        "consultation",
    ),
    ("咨询发票开具流程", "请问年度服务费的发票怎么申请?需要提供哪些信息?", C, "P3", "consultation"),
    (
        "Is there an API for stock levels?",
        "We would like to read stock levels from our webshop. Do you have an API endpoint for "
        "that, and where is the documentation?",
        C,
        "P3",
        "consultation",
    ),
    (
        "打印模板怎么修改",
        "请问送货单的打印模板怎么修改?想加上我们公司的logo。",
        C,
        "P3",
        "consultation",
    ),
    (
        "Question: data retention",
        "How long do you keep deleted records? We need this for our GDPR documentation.",
        C,
        "P3",
        "consultation",
    ),
    (
        "登录时偶尔提示验证码错误",
        "登录时偶尔会提示验证码错误,再输一次就可以了,不是很急。",
        C,
        "P3",
        "functional",
    ),
    (
        "Small glitch in calendar view",
        "In the calendar view, events that end at midnight are shown on the next day as well. "
        "Minor issue, nothing urgent.",
        C,
        "P3",
        "functional",
    ),
    (
        "我的账号登录不了",
        "我的账号今天登录不了,提示“用户名或密码错误”,但是密码没改过。其他同事都能登录。",
        C,
        "P3",
        "permission",
    ),
    (
        "Password reset email not received",
        "I requested a password reset twice but the email never arrived. Checked spam too. Can "
        "you help?",
        C,
        "P3",
        "permission",
    ),
    (
        "希望增加导出PDF功能",
        "现在报表只能导出Excel,希望能增加导出PDF的功能,方便发给领导。",
        C,
        "P4",
        "other",
    ),
    (
        "Idea: dark mode",
        "Hi! Our night-shift staff would love a dark mode. Any plans for that?",
        C,
        "P4",
        "other",
    ),
    (
        "页面上的英文翻译有误",
        "中文界面下,订单详情页有几个按钮还是英文,另外“Shipment”翻译成了“船运”,不太准确。",
        C,
        "P4",
        "functional",
    ),
    (
        "Logo looks blurry",
        "Our logo in the top left corner looks blurry on high-resolution screens. Cosmetic only.",
        C,
        "P4",
        "functional",
    ),
    (
        "建议:客户列表增加排序",
        "建议客户列表可以按最近下单时间排序,现在只能按名称排序。谢谢考虑。",
        C,
        "P4",
        "other",
    ),
    (
        "紧急!!!按钮颜色",
        "紧急!!!首页的按钮颜色和我们的品牌色不一致,麻烦尽快改一下。",
        C,
        "P4",
        "functional",
    ),
    (
        "URGENT - need training material",
        "URGENT: could you send us the user manual for the new approval module? Our training is "
        "tomorrow.",
        C,
        "P3",
        "consultation",
    ),
    (
        "订单状态不同步",
        "部分订单在仓库系统里已经发货,但是我们系统里还是显示“待发货”,大概有30多单。",
        C,
        "P2",
        "data",
    ),
    (
        "Import fails with encoding error",
        "Importing our product CSV fails with 'UnicodeDecodeError: utf-8 codec can't decode byte "
        "0xb5'. The file was exported from our old ERP.",
        C,
        "P2",
        "data",
    ),
    (
        "Chrome升级后无法预览PDF",
        "Chrome升级到最新版后,系统里的PDF预览变成空白,用Edge打开正常。",
        C,
        "P2",
        "environment",
    ),
    (
        "VIP: report export slow",
        "The yearly report export takes 10 minutes. Could you have a look?",
        VIP,
        "P2",
        "performance",
    ),
    (
        "全员无法收到邮件通知",
        "从周一开始,全员都收不到系统的邮件通知了,审批提醒全靠人工通知。",
        C,
        "P2",
        "functional",
    ),
    (
        "API返回500",
        "调用 /api/v2/orders 创建订单时返回 500 Internal Server "
        "Error,其他接口正常,影响我们的自动下单。",
        C,
        "P1",
        "functional",
    ),
    # -- a third batch, also written before the word lists were tuned to it ----------
    (
        "整个公司都进不去系统了",
        "早上好,从8点开始我们整个公司的人都进不去系统,输入账号密码后一直转圈然后提示超时。今天要发"
        "工资,非常着急!",
        C,
        "P1",
        "functional",
    ),
    (
        "Orders not going through",
        "Hi, since about 10am none of our customers can complete an order - the final 'Place "
        "order' button returns an error. This is our peak season, please treat as top priority.",
        C,
        "P1",
        "functional",
    ),
    (
        "微信支付回调失败",
        "从昨晚11点起所有微信支付订单都没有回调,订单一直是“待支付”,但客户其实已经付款了,客服电话被"
        "打爆了。",
        C,
        "P1",
        "functional",
    ),
    (
        "Server unreachable",
        "Our on-premise server running your software is unreachable for all users after last "
        "night's Windows update. Error: ERR_CONNECTION_TIMED_OUT.",
        C,
        "P1",
        "environment",
    ),
    (
        "订单金额计算错误",
        "今天有客户反馈订单金额计算错误,满减优惠没有扣掉,目前发现有十几单。",
        C,
        "P2",
        "functional",
    ),
    (
        "Export to CSV drops rows",
        "When exporting the customer list to CSV, about 200 of 5,000 rows are missing in the file.",
        C,
        "P2",
        "data",
    ),
    (
        "手机端无法上传图片",
        "安卓手机上传图片一直失败,iPhone可以。华为Mate 40,App版本 6.2.0。",
        C,
        "P2",
        "environment",
    ),
    (
        "Approval emails go to wrong person",
        "Since we changed the approval chain in settings, approval emails go to the old manager "
        "instead of the new one.",
        C,
        "P2",
        "configuration",
    ),
    (
        "报表页面一直加载",
        "财务报表页面一直在加载,十分钟都出不来,其他页面正常。影响财务几个同事月结。",
        C,
        "P2",
        "performance",
    ),
    (
        "Users can see other departments' data",
        "Users in the Sales role can see HR salary records. This should not be possible - please "
        "check urgently.",
        C,
        "P1",
        "permission",
    ),
    (
        "登录后提示无权限访问",
        "部分员工登录后首页提示“403 您无权访问该页面”,昨天还好好的。",
        C,
        "P2",
        "permission",
    ),
    (
        "Sync between app and web broken",
        "Changes made in the mobile app do not show up on the web version anymore. Affects our 12 "
        "field sales reps.",
        C,
        "P2",
        "data",
    ),
    (
        "请问如何设置自动备份",
        "你好,请问系统支持自动备份吗?在哪里设置备份时间?",
        C,
        "P3",
        "consultation",
    ),
    (
        "Licence renewal question",
        "Hello, our licence expires next month. How do we renew, and can we add 5 more seats?",
        C,
        "P3",
        "consultation",
    ),
    (
        "能否提供接口文档",
        "我们想和自己的OA系统对接,请问能否提供API接口文档?",
        C,
        "P3",
        "consultation",
    ),
    (
        "Difference between Standard and Pro",
        "Could you explain the difference between the Standard and Pro editions regarding "
        "reporting?",
        C,
        "P3",
        "consultation",
    ),
    (
        "打印预览偶尔空白",
        "打印预览有时候是空白的,关掉重新打开就正常了,不太影响工作。",
        C,
        "P3",
        "functional",
    ),
    (
        "Tooltip stays visible",
        "Minor thing: the tooltip on the Save button sometimes stays visible after clicking. "
        "Doesn't block anything.",
        C,
        "P3",
        "functional",
    ),
    ("账号被锁定", "我输错几次密码账号被锁定了,麻烦帮忙解锁,谢谢。", C, "P3", "permission"),
    (
        "Can't find where to change the logo",
        "I can't find where to upload our company logo for the invoices. Could you point me to it?",
        C,
        "P3",
        "consultation",
    ),
    ("系统偶尔卡一下", "系统偶尔会卡一两秒,不影响使用,反馈一下。", C, "P3", "performance"),
    (
        "希望增加批量打印",
        "建议在订单列表增加批量打印功能,现在只能一张一张打印,效率比较低。",
        C,
        "P4",
        "other",
    ),
    (
        "Feature idea: Slack integration",
        "Would you consider a Slack integration for ticket notifications? Not urgent, just an "
        "idea for the roadmap.",
        C,
        "P4",
        "other",
    ),
    ("菜单名称错别字", "“采构管理”应该是“采购管理”,菜单里有个错别字。", C, "P4", "functional"),
    (
        "Date format suggestion",
        "It would be helpful if dates could be shown as DD.MM.YYYY for our German users.",
        C,
        "P4",
        "other",
    ),
    ("图标有点模糊", "首页几个图标在高分屏上有点模糊,影响美观。", C, "P4", "functional"),
    (
        "ASAP!! change button label",
        "Please change the 'Submit' button label to 'Send' ASAP, our users find it confusing.",
        C,
        "P3",
        "other",
    ),
    ("VIP客户:导出很慢", "导出一年的销售明细需要5分钟左右,能否优化一下?", VIP, "P2", "performance"),
    (
        "VIP: quick question",
        "How do I add a second admin to our account?",
        VIP,
        "P2",
        "consultation",
    ),
    (
        "Error after upgrade to 7.0",
        "After upgrading to 7.0 several users get 'System.NullReferenceException' when opening "
        "the Planning module. Planning is unusable for them.",
        C,
        "P2",
        "functional",
    ),
    (
        "数据库连接失败",
        "客户端启动时提示“数据库连接失败”,服务器IP没变,昨天机房断过电。所有人都用不了。",
        C,
        "P1",
        "environment",
    ),
    ("请帮忙恢复误删的订单", "不小心删除了3张订单,请问可以恢复吗?", C, "P3", "data"),
]


def test_the_set_is_big_enough() -> None:
    assert len(LABELLED) >= 60
    assert {row[3] for row in LABELLED} == {"P1", "P2", "P3", "P4"}


def _verdicts() -> list[tuple[tuple[str, str, str, str, str], str, str]]:
    out = []
    for row in LABELLED:
        subject, body, sender, _, _ = row
        v = evaluate(mail(subject, body, sender), context())
        out.append((row, v.priority, v.category))
    return out


@pytest.mark.parametrize("field", ["priority", "category"])
def test_accuracy_on_the_labelled_set(field: str) -> None:
    verdicts = _verdicts()
    i = 3 if field == "priority" else 4
    got_i = 1 if field == "priority" else 2
    misses = [
        (row[0], row[i], got[got_i])
        for row, *rest in verdicts
        for got in [(row, *rest)]
        if got[got_i] != row[i]
    ]
    accuracy = 1 - len(misses) / len(verdicts)
    print(f"{field}: {accuracy:.1%} right; misses: {misses}")
    assert accuracy >= 0.9, misses
